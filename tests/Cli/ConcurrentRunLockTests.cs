using System.Diagnostics;
using System.Text.Json.Nodes;
using PoFT.Shared;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Cli;

/// <summary>One process per run directory and per score output (docs/reliability.md): a second <c>poft</c>
/// started while the first provably runs — its pid recorded in the lock, its first step logged — is refused
/// naming that pid, the first ends intact, and a lock left by a process killed with SIGKILL blocks nothing.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed class ConcurrentRunLockTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TrainConfig(string output, int steps) => TinyCeRun.Config(_temp, models, output, steps);

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(PoftProcess.Host) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(PoftProcess.Dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var child = Process.Start(start) ?? throw new InvalidOperationException("cannot start poft");
        // Drained, so a full pipe never stalls the child.
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, _) => { };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }

    /// <summary>Until <paramref name="holder"/> has recorded its pid in the lock of <paramref name="guarded"/>
    /// and <paramref name="ready"/> holds, failing if it ends first.</summary>
    private static async Task WaitUntilHolding(Process holder, string guarded, Func<bool> ready)
    {
        var pidFile = ExclusiveLock.HolderFile(ExclusiveLock.PathOf(guarded));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(File.Exists(pidFile) && SafeRead(pidFile) == $"{holder.Id}" && ready()))
        {
            Assert.False(holder.HasExited, $"the first process ended (exit {(holder.HasExited ? holder.ExitCode : 0)}) before it was seen holding the lock");
            Assert.True(DateTime.UtcNow < deadline, "the first process never held the lock");
            await Task.Delay(50);
        }
    }

    private static string SafeRead(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return ""; }
    }

    private static int MetricsLines(string output)
    {
        var path = Path.Combine(output, MetricsLog.FileName);
        return File.Exists(path) ? SafeRead(path).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length : 0;
    }

    /// <summary>A user error (exit 1, one line, no stack trace) naming the holder's pid.</summary>
    private static void AssertRefusedByLock(PoftProcess.Result refused, Process holder)
    {
        Assert.True(refused.ExitCode == 1, refused.Error);
        Assert.StartsWith("error: ", refused.Error);
        Assert.Single(refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"in use by another process (pid {holder.Id}", refused.Error);
    }

    [Fact]
    public async Task A_second_train_into_a_running_runs_directory_is_refused_naming_its_pid_and_the_first_ends_intact()
    {
        const int steps = 30;
        var output = _temp.File("run");
        using var first = Start("train", "--config", TrainConfig(output, steps));
        await WaitUntilHolding(first, output, () => MetricsLines(output) > 0);

        var second = await PoftProcess.Run(["train", "--config", TrainConfig(output, steps), "--overwrite"]);
        Assert.False(first.HasExited, "the refusal must come while the first still runs");
        AssertRefusedByLock(second, first);
        Assert.Contains(output, second.Error);

        await first.WaitForExitAsync();
        Assert.Equal(0, first.ExitCode);
        var logged = File.ReadAllLines(Path.Combine(output, MetricsLog.FileName))
            .Select(l => JsonNode.Parse(l)!).Where(r => (string?)r["kind"] == "step").Select(r => (int?)r["step"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(1, steps).Select(s => (int?)s), logged.Distinct());
        Assert.Equal(logged.Distinct().Count(), logged.Count);
    }

    [Fact]
    public async Task A_lock_left_by_a_killed_train_does_not_block_the_next_run()
    {
        var output = _temp.File("killed");
        using (var first = Start("train", "--config", TrainConfig(output, steps: 500)))
        {
            await WaitUntilHolding(first, output, () => MetricsLines(output) > 0);
            first.Kill(); // SIGKILL on Unix: nothing of the process runs, the kernel drops its lock.
            await first.WaitForExitAsync();
        }
        Assert.True(File.Exists(ExclusiveLock.PathOf(output)));

        var next = await PoftProcess.Run(["train", "--config", TrainConfig(output, steps: 2), "--overwrite"]);
        Assert.True(next.ExitCode == 0, next.Error);
    }

    [Fact]
    public async Task A_second_score_into_a_running_scores_output_is_refused_naming_its_pid_and_the_first_ends_intact()
    {
        const int samples = 400;
        var data = _temp.File("score.jsonl");
        SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(samples, seed: 9));
        var manifest = models.Manifest("lock.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3));
        var scores = _temp.File("scores.jsonl");
        using var first = Start("score", "--manifest", manifest, "--data", data, "--out", scores, "--threads", "1");
        await WaitUntilHolding(first, scores, () => true);

        var second = await PoftProcess.Run(["score", "--manifest", manifest, "--data", data, "--out", scores, "--threads", "1", "--resume"]);
        AssertRefusedByLock(second, first);
        Assert.Contains($"score output {scores}", second.Error);

        await first.WaitForExitAsync();
        Assert.Equal(0, first.ExitCode);
        var ids = ScoreFile.Read(scores).Select(r => r.Id).ToList();
        Assert.Equal(samples, ids.Count);
        Assert.Equal(samples, ids.Distinct().Count());
    }
}
