namespace PoFT.Trainer.Training;

/// <summary>Linear warm-up to the peak rate, then cosine decay to <c>peak × minRatio</c> at the last step
/// (the paper's schedule). A pure function of the step, so a resumed run needs no scheduler state.</summary>
public sealed record LearningRateSchedule(double Peak, int TotalSteps, double WarmupRatio, double MinRatio = 0.0)
{
    public int WarmupSteps => (int)Math.Ceiling(TotalSteps * WarmupRatio);

    /// <param name="step">0-based index of the optimizer step about to be taken.</param>
    public double At(int step)
    {
        if (step < WarmupSteps)
            return Peak * (step + 1) / WarmupSteps;
        var decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        var cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return Peak * (MinRatio + (1 - MinRatio) * cosine);
    }
}
