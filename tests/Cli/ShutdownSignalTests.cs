using PoFT.Cli.Terminal;

namespace PoFT.Tests.Cli;

/// <summary>The first signal asks the job to stop cleanly; any later one aborts — also when it arrives
/// while the first is still being handled.</summary>
public class ShutdownSignalTests
{
    [Fact]
    public void The_first_signal_requests_a_stop_and_the_second_aborts()
    {
        var aborts = 0;
        using var signal = new ShutdownSignal(() => Interlocked.Increment(ref aborts));
        signal.Receive("SIGTERM");
        Assert.True(signal.Token.IsCancellationRequested);
        Assert.Equal(0, aborts);
        signal.Receive("SIGTERM");
        Assert.Equal(1, aborts);
    }

    [Fact]
    public void A_signal_handled_as_the_job_ends_neither_throws_nor_aborts_on_its_own()
    {
        var aborts = 0;
        var signal = new ShutdownSignal(() => Interlocked.Increment(ref aborts));
        signal.Dispose(); // the job returned while the runtime's signal thread was already in the handler
        signal.Receive("SIGINT");
        Assert.True(signal.Token.IsCancellationRequested);
        Assert.Equal(0, aborts);
    }

    [Fact]
    public void Signals_arriving_together_are_one_stop_and_aborts_for_the_rest()
    {
        var aborts = 0;
        using var signal = new ShutdownSignal(() => Interlocked.Increment(ref aborts));
        Parallel.For(0, 8, _ => signal.Receive("SIGTERM"));
        Assert.True(signal.Token.IsCancellationRequested);
        Assert.Equal(7, aborts);
    }
}
