using System.Runtime.InteropServices;

namespace PoFT.Cli.Terminal;

/// <summary>SIGINT (Ctrl+C) and SIGTERM ask a long job to stop cleanly (training writes a checkpoint
/// first); a second signal ends the process at once, however soon after the first it comes.</summary>
public sealed class ShutdownSignal : IDisposable
{
    /// <summary>The exit code of a job stopped by a signal.</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource _requested = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Action _abort;
    private int _received;

    public CancellationToken Token => _requested.Token;

    /// <param name="abort">What a second signal does (default: exit at once with <see cref="ExitCode"/>).</param>
    public ShutdownSignal(Action? abort = null)
    {
        _abort = abort ?? Abort;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    /// <summary>One signal: the first asks the job to stop, any later one aborts. Counted atomically, because
    /// handlers can run concurrently: a second signal that came while the first one's message was still
    /// being written used to be taken for a first one and swallowed.</summary>
    public void Receive(string signal)
    {
        if (Interlocked.Increment(ref _received) > 1)
        {
            Console.Error.WriteLine($"{signal} again: aborting");
            _abort();
            return;
        }
        _requested.Cancel();
        Console.Error.WriteLine($"{signal}: stopping after the current step (again to abort)");
    }

    /// <summary>Ends the process now, without the runtime's orderly shutdown: that would tear down native
    /// sessions while an inference is still running in them, which ONNX Runtime reports as a red error.</summary>
    private static void Abort()
    {
        if (OperatingSystem.IsWindows())
            Environment.Exit(ExitCode);
        ExitNow(ExitCode);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int status);

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        Receive(context.Signal.ToString());
    }

    /// <summary>Stops handling the signals. The token source is left undisposed: a handler already running on the
    /// runtime's signal thread may still cancel it, which on a disposed source would throw there and crash the
    /// process (exit 134) instead of ending it; a source without a timer or wait handle holds nothing to free.</summary>
    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
    }
}
