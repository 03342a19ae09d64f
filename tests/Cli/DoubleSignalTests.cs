using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using PoFT.Cli.Terminal;
using PoFT.Hybrid;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>
/// Two SIGINTs in quick succession (a user pressing Ctrl+C twice) sent to a real <c>poft train</c> at several moments —
/// during start-up, mid-step, while checkpoints are saved — end it with the documented exit code (130), never a crash
/// (134, 139: a double SIGINT once ended in SIGSEGV), with no stack trace, and leave a run directory that a retry
/// finishes: <c>--resume</c> of its newest checkpoint, or a plain retry where none was written (docs/reliability.md).
/// </summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed class DoubleSignalTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private const int Steps = 40;
    private const int SigInt = 2;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>When the two signals are sent.</summary>
    public enum Moment { StartUp, MidStep, Saving }

    [Theory]
    [InlineData(Moment.StartUp)]
    [InlineData(Moment.MidStep)]
    [InlineData(Moment.Saving)]
    public async Task Two_SIGINTs_end_train_with_exit_130_and_no_trace_and_the_run_finishes_on_retry(Moment moment)
    {
        var output = _temp.File($"run-{moment}");
        // Saving: a checkpoint after every step, so a save is under way much of the time.
        var config = TinyCeRun.Config(_temp, models, output, Steps, checkpointEvery: moment == Moment.Saving ? 1 : 1000);
        // Through env --default-signal (coreutils): a process started in the background of a non-interactive shell, as
        // a test run may be, inherits SIGINT ignored, and .NET keeps an ignored SIGINT ignored — the signals would be lost.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--default-signal=INT", PoftProcess.Host, PoftProcess.Dll, "train", "--config", config })
            start.ArgumentList.Add(argument);
        using var child = new Process { StartInfo = start };
        var (stdout, stderr) = (new StringBuilder(), new StringBuilder());
        var training = new TaskCompletionSource();
        child.OutputDataReceived += (_, line) => { lock (stdout) stdout.AppendLine(line.Data); };
        child.ErrorDataReceived += (_, line) =>
        {
            lock (stderr) stderr.AppendLine(line.Data);
            if (line.Data?.StartsWith("training: ", StringComparison.Ordinal) == true)
                training.TrySetResult(); // a step has run: the progress line follows the first one
        };
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        // StartUp: at once, while the runtime starts or the config and model load. MidStep: once a step has run (and
        // with checkpoint_every 1, Saving: once saves are under way too).
        if (moment != Moment.StartUp)
            await Task.WhenAny(training.Task, child.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.False(child.HasExited, $"train ended (exit {(child.HasExited ? child.ExitCode : 0)}) before the signals: {stderr}");
        Assert.Equal(0, kill(child.Id, SigInt));
        await Task.Delay(20);
        kill(child.Id, SigInt); // fails only where the first signal has already ended the process
        await child.WaitForExitAsync();
        child.WaitForExit(); // and its output read to the end

        var error = stderr.ToString();
        Assert.True(child.ExitCode == ShutdownSignal.ExitCode, $"exit {child.ExitCode}; stderr: {error}; stdout: {stdout}");
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("Unhandled exception", error);

        // The retry: --resume of the newest checkpoint, or a plain retry where there is none to resume. Newest as the
        // project reads a run directory: a save the second signal stopped (step-N.{guid}.partial) is no checkpoint.
        var newest = Directory.Exists(output) && RunDirectory.Inspect(output) is (RunDirectory.Holding.Resumable, var resumable) ? resumable : null;
        var retry = await PoftProcess.Run(newest is null ? ["train", "--config", config] : ["train", "--config", config, "--resume", newest]);
        Assert.True(retry.ExitCode == 0, $"retry exit {retry.ExitCode}: {retry.Error}");
        Assert.Contains($"steps={Steps} ", retry.Output);
    }
}
