namespace PoFT.Trainer.Training;

public sealed record TrainingSummary(int Steps, long Tokens, double ElapsedSeconds, double ScorerWaitSeconds, bool Interrupted,
    string CheckpointDirectory, EvalMetrics? FinalEval, bool AlreadyComplete = false)
{
    public double TokensPerSecond => Tokens / Math.Max(1e-9, ElapsedSeconds);
    public double ScorerWaitFraction => ScorerWaitSeconds / Math.Max(1e-9, ElapsedSeconds);
}
