namespace PoFT.Shared;

/// <summary>Writes that never leave a half-written file where a good one was: the content goes to a
/// temporary sibling first, is flushed to disk, and only then replaces the target.</summary>
public static class AtomicFile
{
    private const string TemporaryPrefix = ".";

    /// <summary>Whether the file is a write still in progress (or one a crash left): its temporary sibling,
    /// to be left out wherever a folder's files are taken as content.</summary>
    public static bool IsTemporary(string path) => Path.GetFileName(path).StartsWith(TemporaryPrefix, StringComparison.Ordinal);

    /// <param name="overwrite">false: refuse (IOException) if <paramref name="path"/> exists when the
    /// content is ready, for files that must never be replaced once written.</param>
    public static void Write(string path, Action<Stream> write, bool overwrite = true)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $"{TemporaryPrefix}{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public static void WriteAllText(string path, string text, bool overwrite = true) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); }, overwrite);
}
