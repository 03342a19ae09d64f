using PoFT.Shared;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer;

/// <summary>
/// The score file a scoring-only run writes, and its provenance sidecar (<see cref="ScoreProvenance"/>).
/// An existing file is opened at once, with <c>--resume</c> only and only if its provenance matches this
/// run's: its records say what is left to score. A new file and its sidecar are created only when the
/// first records are ready, or when the run ends with nothing to score: a run that fails before that (a
/// sample too long, a model whose output is not finite, Ctrl-C) leaves no empty file behind.
/// </summary>
public sealed class ScoreOutput : IDisposable
{
    private readonly string _path;
    private readonly IReadOnlyList<string> _modelNames;
    private readonly ScoreProvenance _provenance;
    private readonly bool _provenanceRecorded;
    private readonly ExclusiveLock _lock;
    private ScoreFileWriter? _writer;

    public IReadOnlySet<string> AlreadyScored { get; }

    public string Path => _path;

    private ScoreOutput(string path, IReadOnlyList<string> modelNames, ScoreProvenance provenance, bool provenanceRecorded, ScoreFileWriter? writer,
        ExclusiveLock outputLock)
    {
        (_path, _modelNames, _provenance, _provenanceRecorded, _writer, _lock) = (path, modelNames, provenance, provenanceRecorded, writer, outputLock);
        AlreadyScored = writer?.AlreadyScored ?? new HashSet<string>();
    }

    /// <param name="provenance">This run's; called once the cheap checks have passed (it hashes the models).</param>
    /// <param name="manifestPath">Named in a refusal to resume.</param>
    /// <exception cref="PoftUserException">Another process scores into <paramref name="path"/> (<see cref="ExclusiveLock"/>).</exception>
    public static ScoreOutput Open(string path, bool resume, IReadOnlyList<string> modelNames, Func<ScoreProvenance> provenance, string manifestPath)
    {
        // Now, not at the first record: an --out that is no score file must not cost a whole run.
        ScoreFile.IsMessagePack(path);
        // Held for the run, before the file is looked at: two runs on one --out would both find it missing.
        var outputLock = ExclusiveLock.Acquire(path, "score output");
        try
        {
            return Open(path, resume, modelNames, provenance, manifestPath, outputLock);
        }
        catch
        {
            outputLock.Dispose();
            throw;
        }
    }

    private static ScoreOutput Open(string path, bool resume, IReadOnlyList<string> modelNames, Func<ScoreProvenance> provenance, string manifestPath,
        ExclusiveLock outputLock)
    {
        var sidecar = ScoreProvenance.PathOf(path);
        var exists = File.Exists(path);
        var recorded = File.Exists(sidecar);
        if (exists && !resume)
            throw new IOException($"{path} exists: pass --resume to continue it, or choose another --out");
        if (recorded && !resume)
            throw new IOException($"{sidecar} exists without its score file {path}: pass --resume to score with what it records, or remove it");
        if (exists && !recorded)
            throw new InvalidDataException($"{path}: cannot resume: it has no provenance file {sidecar} (written by an older version, or removed), " +
                "so what scored its records is unknown; score into a new --out");
        var now = provenance();
        if (recorded)
            ScoreProvenance.Read(sidecar).RequireSame(now, difference =>
                $"{path}: cannot resume with {manifestPath}: {difference} (recorded in {sidecar}); resume with the same models and settings, or score into a new --out");
        // Checked before the writer opens the file, since opening it for --resume drops a torn last record.
        return new ScoreOutput(path, modelNames, now, recorded, exists ? ScoreFileWriter.Open(path, resume, modelNames) : null, outputLock);
    }

    /// <summary>Appends the records and makes them durable: what a resumed run will find. The first ones create the
    /// file whole (<see cref="Create"/>).</summary>
    public void Append(IEnumerable<ScoreRecord> records)
    {
        if (_writer is null)
        {
            _writer = Create(records);
            return;
        }
        foreach (var record in records)
            _writer.Append(record);
        _writer.Flush();
    }

    /// <summary>Ends a run that finished: its file exists even when there was nothing to score.</summary>
    public void Complete() => (_writer ??= Create([])).Flush();

    // The sidecar first, so a score file never exists without one; then the file with its first records, written
    // aside and renamed into place (AtomicFile), so a write that fails — a full disk — leaves no file, not a 0-byte
    // one, and takes back the sidecar it wrote. overwrite: false, so a score file that appeared since Open is refused
    // rather than replaced; WriteNew refuses a sidecar that did.
    private ScoreFileWriter Create(IEnumerable<ScoreRecord> first)
    {
        var sidecar = ScoreProvenance.PathOf(_path);
        if (!_provenanceRecorded)
            _provenance.WriteNew(sidecar);
        try
        {
            var messagePack = ScoreFile.IsMessagePack(_path);
            AtomicFile.Write(_path, stream =>
            {
                foreach (var record in first)
                    stream.Write(ScoreFile.Encode(record, messagePack));
            }, overwrite: false);
        }
        catch
        {
            if (!_provenanceRecorded)
                File.Delete(sidecar);
            throw;
        }
        return ScoreFileWriter.Open(_path, resume: true, _modelNames);
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _lock.Dispose();
    }
}
