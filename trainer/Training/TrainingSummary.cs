namespace PoFT.Trainer.Training;

public sealed record TrainingSummary(int Steps, long Tokens, double ElapsedSeconds, double ScorerWaitSeconds, bool Interrupted,
    string CheckpointDirectory, EvalMetrics? FinalEval, bool AlreadyComplete = false)
{
    /// <summary>This process's evaluation with the lowest held-out CE (<see cref="RunRecorder.Best"/>).</summary>
    public EvalMetrics? BestEval { get; init; }

    /// <summary>The step checkpoint that trains the run further (with the optimizer's state): an interrupted run's, or a
    /// finished run's last step's where <c>checkpoint_every</c> is set; null where the run kept none (final/ has no
    /// optimizer state).</summary>
    public string? ResumeCheckpoint { get; init; }

    public double TokensPerSecond => Tokens / Math.Max(1e-9, ElapsedSeconds);
    public double ScorerWaitFraction => ScorerWaitSeconds / Math.Max(1e-9, ElapsedSeconds);
}
