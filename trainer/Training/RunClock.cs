using System.Diagnostics;

namespace PoFT.Trainer.Training;

/// <summary>A run's time: wall-clock seconds since it began (for a resumed run, its earlier part's included) and
/// the time it has waited for the scorer, since it (or its resume) began and since the last step.</summary>
internal sealed class RunClock(double elapsedBefore, ReferenceScores? scores)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _waitAtStart = scores?.WaitTime ?? TimeSpan.Zero;
    private TimeSpan _waitAtLastStep = scores?.WaitTime ?? TimeSpan.Zero;

    public double Elapsed => elapsedBefore + _clock.Elapsed.TotalSeconds;

    public double ScorerWaitSinceStart => ((scores?.WaitTime ?? TimeSpan.Zero) - _waitAtStart).TotalSeconds;

    /// <summary>Seconds waited for the scorer since the last call: a step's share.</summary>
    public double ScorerWaitOfStep()
    {
        var (before, now) = (_waitAtLastStep, scores?.WaitTime ?? TimeSpan.Zero);
        _waitAtLastStep = now;
        return (now - before).TotalSeconds;
    }
}
