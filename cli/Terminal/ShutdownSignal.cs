using System.Runtime.InteropServices;

namespace PoFT.Cli.Terminal;

/// <summary>SIGINT (Ctrl+C) and SIGTERM ask a long job to stop cleanly (training writes a checkpoint
/// first); a second signal ends the process at once.</summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly PosixSignalRegistration[] _registrations;

    public CancellationToken Token => _requested.Token;

    public ShutdownSignal()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    private void Handle(PosixSignalContext context)
    {
        if (_requested.IsCancellationRequested)
            return;
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping after the current step (again to abort)");
        _requested.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _requested.Dispose();
    }
}
