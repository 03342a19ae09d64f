namespace PoFT.Shared.Scoring;

/// <summary>One model's judgement of one sample: the sum and number of its response-token log-probs.
/// <see cref="Mean"/> is the length-normalised log-likelihood r_j(x, y) of docs/method.md.</summary>
public readonly record struct ModelScore(double LogProbSum, int TokenCount)
{
    public double Mean => LogProbSum / TokenCount;
}
