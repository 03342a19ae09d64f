using PoFT.Shared.Scoring;

namespace PoFT.Scorer;

/// <summary>
/// The score file a scoring-only run writes. An existing file is opened at once (with <c>--resume</c>):
/// its records say what is left to score. A new file is created only when its first records are ready,
/// or when the run ends with nothing to score: a run that fails before that (a sample too long, a model
/// whose output is not finite, Ctrl-C) leaves no empty file behind to be mistaken for a result.
/// </summary>
public sealed class ScoreOutput : IDisposable
{
    private readonly string _path;
    private readonly IReadOnlyList<string> _modelNames;
    private ScoreFileWriter? _writer;

    public IReadOnlySet<string> AlreadyScored { get; }

    private ScoreOutput(string path, IReadOnlyList<string> modelNames, ScoreFileWriter? writer)
    {
        (_path, _modelNames, _writer) = (path, modelNames, writer);
        AlreadyScored = writer?.AlreadyScored ?? new HashSet<string>();
    }

    public static ScoreOutput Open(string path, bool resume, IReadOnlyList<string> modelNames)
    {
        // Now, not at the first record: an --out that is no score file must not cost a whole run.
        ScoreFile.IsMessagePack(path);
        return new ScoreOutput(path, modelNames, File.Exists(path) ? ScoreFileWriter.Open(path, resume, modelNames) : null);
    }

    /// <summary>Appends the records and makes them durable: what a resumed run will find.</summary>
    public void Append(IEnumerable<ScoreRecord> records)
    {
        var writer = _writer ??= Create();
        foreach (var record in records)
            writer.Append(record);
        writer.Flush();
    }

    /// <summary>Ends a run that finished: its file exists even when there was nothing to score.</summary>
    public void Complete() => (_writer ??= Create()).Flush();

    // resume: false, so a file that appeared since Open is refused rather than appended to.
    private ScoreFileWriter Create() => ScoreFileWriter.Open(_path, resume: false, _modelNames);

    public void Dispose() => _writer?.Dispose();
}
