namespace PoFT.Scorer.Pipeline;

/// <summary>What one aligned model's stages did; each counter has a single writer (its stage).</summary>
public sealed class ModelStatistics(string name)
{
    public string Name { get; } = name;
    public long Samples;
    public long Batches;
    public long Tokens;
    public long PaddedTokens;
    public long ResponseTokens;
    public TimeSpan TokenizeTime;
    public TimeSpan InferenceTime;

    /// <summary>Share of the computed positions that were padding.</summary>
    public double PaddingFraction => PaddedTokens == 0 ? 0 : 1.0 - (double)Tokens / PaddedTokens;
}
