namespace PoFT.Trainer.Training;

public sealed record TrainingSummary(int Steps, long Tokens, double ElapsedSeconds, double ScorerWaitSeconds, bool Interrupted,
    string CheckpointDirectory, EvalMetrics? FinalEval, bool AlreadyComplete = false)
{
    /// <summary>This process's evaluation with the lowest held-out CE (<see cref="RunRecorder.Best"/>).</summary>
    public EvalMetrics? BestEval { get; init; }

    public double TokensPerSecond => Tokens / Math.Max(1e-9, ElapsedSeconds);
    public double ScorerWaitFraction => ScorerWaitSeconds / Math.Max(1e-9, ElapsedSeconds);
}
