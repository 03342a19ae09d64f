namespace PoFT.Shared.Scoring;

/// <summary>
/// Appends score records to a score file. A new run refuses to overwrite an existing file; a resumed run
/// keeps every complete record, drops a torn last one, and reports which ids are already scored.
/// </summary>
public sealed class ScoreFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly bool _messagePack;

    public IReadOnlySet<string> AlreadyScored { get; }

    private ScoreFileWriter(FileStream stream, bool messagePack, IReadOnlySet<string> alreadyScored)
    {
        _stream = stream;
        _messagePack = messagePack;
        AlreadyScored = alreadyScored;
    }

    public static ScoreFileWriter Open(string path, bool resume, IReadOnlyList<string> modelNames)
    {
        var messagePack = ScoreFile.IsMessagePack(path);
        if (File.Exists(path) && !resume)
            throw new IOException($"{path} exists: pass --resume to continue it, or choose another --out");
        var (records, valid) = ScoreFile.ReadValidPrefix(path);
        var mismatch = records.FirstOrDefault(r => !r.Models.Select(m => m.Name).SequenceEqual(modelNames));
        if (mismatch is not null)
            throw new InvalidDataException($"{path}: record '{mismatch.Id}' was scored by [{string.Join(", ", mismatch.Models.Select(m => m.Name))}], " +
                $"the manifest now names [{string.Join(", ", modelNames)}]; resume with the same manifest or write a new file");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        stream.SetLength(valid);
        stream.Seek(valid, SeekOrigin.Begin);
        return new ScoreFileWriter(stream, messagePack, records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal));
    }

    public void Append(ScoreRecord record) => _stream.Write(ScoreFile.Encode(record, _messagePack));

    /// <summary>Makes everything appended so far durable: what a resumed run will find.</summary>
    public void Flush() => _stream.Flush(flushToDisk: true);

    public void Dispose()
    {
        Flush();
        _stream.Dispose();
    }
}
