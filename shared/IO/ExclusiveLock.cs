namespace PoFT.Shared;

/// <summary>
/// One process at a time on a path (a run directory, a score file): an exclusive lock on a sibling lock file,
/// held until disposed or until the process ends — however it ends, since the operating system drops the lock
/// with the process (kill -9 included), so a lock left by a dead process never blocks the next one.
/// </summary>
/// <remarks>
/// .NET takes the lock itself: on Unix a <see cref="FileStream"/> opened with <see cref="FileShare.None"/> holds
/// <c>flock(LOCK_EX | LOCK_NB)</c> on the file and a second open fails with an <see cref="IOException"/>
/// (dotnet/runtime, SafeFileHandle.Unix.cs, Init); on Windows the share mode refuses the second open. Every
/// other open of the lock file is refused too (even a reader takes <c>LOCK_SH</c>), so the holder's pid is kept
/// in a second sibling, <see cref="HolderFile"/>, which a refused process can read. The lock file stays when
/// released: deleting it would let a process that opened the old file and one that creates a new one both
/// hold "the" lock.
/// </remarks>
public sealed class ExclusiveLock : IDisposable
{
    public const string Extension = ".lock";

    private readonly FileStream _lock;
    private readonly string _holderFile;

    /// <summary>The lock file of <paramref name="guarded"/>: beside it, its name with <see cref="Extension"/>, hidden
    /// (<c>runs/a</c> → <c>runs/.a.lock</c>), so it is neither content of a run directory nor removed with it, and
    /// whatever takes a folder's files as content leaves it out as it leaves out temporaries
    /// (<see cref="AtomicFile.IsTemporary"/>): a folder of score shards stays one.</summary>
    public static string PathOf(string guarded)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(guarded));
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}{Extension}");
    }

    /// <summary>Where the holder records its pid: beside the lock file.</summary>
    public static string HolderFile(string lockFile) => lockFile + ".pid";

    private ExclusiveLock(FileStream lockStream, string holderFile) => (_lock, _holderFile) = (lockStream, holderFile);

    /// <param name="guarded">The directory or file only one process may write.</param>
    /// <param name="what">Names it in a refusal, e.g. "run directory" or "score output".</param>
    /// <exception cref="PoftUserException">Another process holds the lock: names <paramref name="guarded"/> and its pid.</exception>
    public static ExclusiveLock Acquire(string guarded, string what)
    {
        var path = PathOf(guarded);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new PoftUserException($"{what} {guarded} is in use by another process ({Holder(path)}, lock {path}); " +
                "wait for it to end, or choose another");
        }
        var holder = HolderFile(path);
        try
        {
            File.WriteAllText(holder, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new ExclusiveLock(stream, holder);
    }

    /// <summary>The holder's pid as it recorded it; it may not have written it yet.</summary>
    private static string Holder(string lockFile)
    {
        try
        {
            return File.ReadAllText(HolderFile(lockFile)).Trim() is { Length: > 0 } pid ? $"pid {pid}" : "pid not yet recorded";
        }
        catch (IOException)
        {
            return "pid not yet recorded";
        }
    }

    /// <summary>The pid file goes first, while the lock is still held, so it never removes a next holder's.</summary>
    public void Dispose()
    {
        File.Delete(_holderFile);
        _lock.Dispose();
    }
}
