namespace PoFT.Scorer.Pipeline;

/// <summary>What one batch may hold: padded tokens (every position the decoder computes) and scored tokens
/// (the positions whose log-prob is wanted). Inside the backend a batch's logits take rows × vocabulary × 4
/// bytes, where the rows are the scored tokens if the LM head runs only there, else the padded tokens: the
/// budget caps those rows, so a large vocabulary gets smaller batches instead of gigabytes of logits (and
/// runs faster for it: the buffer stays closer to cache). Measured in README, Performance.</summary>
public readonly record struct BatchBudget(int PaddedTokens, int ScoredTokens)
{
    public const long LogitsBytesPerBatch = 512L << 20;
    public const int MinTokens = 256;
    /// <summary>The most padded tokens in one batch: bounds the decoder's activations when the logits no longer do.</summary>
    public const int MaxTokens = 8192;

    /// <param name="paddedTokens">Overrides the padded tokens per batch (a `--token-budget`); 0 keeps the rule.</param>
    public static BatchBudget For(int vocabularySize, bool headOnScoredPositions, int paddedTokens = 0)
    {
        var logitsRows = (int)Math.Clamp(LogitsBytesPerBatch / (4L * Math.Max(1, vocabularySize)), MinTokens, MaxTokens);
        if (!headOnScoredPositions)
            return new BatchBudget(paddedTokens > 0 ? paddedTokens : logitsRows, int.MaxValue);
        return new BatchBudget(paddedTokens > 0 ? paddedTokens : MaxTokens, logitsRows);
    }

    public override string ToString() =>
        ScoredTokens == int.MaxValue ? $"{PaddedTokens} tokens per batch" : $"{PaddedTokens} tokens, {ScoredTokens} scored tokens per batch";
}
