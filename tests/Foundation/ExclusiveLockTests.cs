using PoFT.Shared;
using PoFT.Tests.Support;

namespace PoFT.Tests.Foundation;

/// <summary>The lock in one process: two acquisitions are two opens of the lock file, which the operating
/// system's lock tells apart as it tells two processes apart.</summary>
public sealed class ExclusiveLockTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_second_holder_is_refused_naming_the_path_and_the_holders_pid_until_the_first_releases()
    {
        var run = Path.Combine(_temp.Sub("runs"), "a");
        var first = ExclusiveLock.Acquire(run, "run directory");
        var lockFile = ExclusiveLock.PathOf(run);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(run)!, ".a.lock"), lockFile);
        Assert.True(File.Exists(lockFile) && AtomicFile.IsTemporary(lockFile));
        Assert.False(Directory.Exists(run));

        var refusal = Assert.Throws<PoftUserException>(() => ExclusiveLock.Acquire(run + "/", "run directory"));
        Assert.Contains($"run directory {run}/ is in use", refusal.Message);
        Assert.Contains($"pid {Environment.ProcessId}", refusal.Message);

        first.Dispose();
        Assert.False(File.Exists(ExclusiveLock.HolderFile(lockFile)));
        using var second = ExclusiveLock.Acquire(run, "run directory");
        Assert.Equal($"{Environment.ProcessId}", File.ReadAllText(ExclusiveLock.HolderFile(lockFile)));
    }

    [Fact]
    public void Locks_on_different_paths_do_not_interfere()
    {
        using var a = ExclusiveLock.Acquire(_temp.File("a.jsonl"), "score output");
        using var b = ExclusiveLock.Acquire(_temp.File("b.jsonl"), "score output");
        Assert.NotEqual(ExclusiveLock.PathOf(_temp.File("a.jsonl")), ExclusiveLock.PathOf(_temp.File("b.jsonl")));
    }
}
