using PoFT.Checkpoints;

namespace PoFT.Scorer.Pipeline;

/// <summary>What one batch may hold: padded tokens (every position the decoder computes) and scored tokens
/// (the positions whose log-prob is wanted). Inside the backend a batch's logits and their LogSoftmax take
/// 2 × rows × vocabulary × 4 bytes, where the rows are the scored tokens if the LM head runs only there, else
/// the padded tokens: the budget caps those rows, so a large vocabulary gets smaller batches instead of
/// gigabytes of logits (and runs faster for it: the buffers stay closer to cache). Once the logits no longer
/// bound the padded tokens, one decoder layer's activations do, by the same bytes. Measured in
/// docs/performance.md.</summary>
public readonly record struct BatchBudget(int PaddedTokens, int ScoredTokens)
{
    public const long BytesPerBatch = 512L << 20;
    public const int MinTokens = 256;
    public const int MaxTokens = 8192;
    /// <summary>[rows, vocabulary] fp32 buffers alive at once in the exported head: the logits and their
    /// LogSoftmax (the gather reads the latter).</summary>
    public const int LogitsCopies = 2;

    /// <param name="paddedTokens">Overrides the padded tokens per batch (a `--token-budget`); 0 keeps the rule.</param>
    public static BatchBudget For(ModelConfig model, bool headOnScoredPositions, int paddedTokens = 0) =>
        For(model.VocabSize, headOnScoredPositions, LayerBytesPerToken(model), paddedTokens);

    /// <param name="layerBytesPerToken">One decoder layer's activations per token (<see cref="LayerBytesPerToken"/>);
    /// 0 when the model's shape is unknown.</param>
    public static BatchBudget For(int vocabularySize, bool headOnScoredPositions, long layerBytesPerToken = 0, int paddedTokens = 0)
    {
        var logitsRows = Rows(LogitsCopies * 4L * vocabularySize);
        if (!headOnScoredPositions)
            return new BatchBudget(paddedTokens > 0 ? paddedTokens : logitsRows, int.MaxValue);
        var padded = layerBytesPerToken > 0 ? Rows(layerBytesPerToken) : MaxTokens;
        return new BatchBudget(paddedTokens > 0 ? paddedTokens : padded, logitsRows);
    }

    /// <summary>fp32 bytes one decoder layer's largest activations take per token: the MLP's gate, up and their
    /// product, and a handful of hidden-sized tensors (norms, q/k/v, residuals).</summary>
    public static long LayerBytesPerToken(ModelConfig model) => 4L * (3L * model.IntermediateSize + 6L * model.HiddenSize);

    private static int Rows(long bytesPerRow) => (int)Math.Clamp(BytesPerBatch / Math.Max(1, bytesPerRow), MinTokens, MaxTokens);

    public override string ToString() =>
        ScoredTokens == int.MaxValue ? $"{PaddedTokens} tokens per batch" : $"{PaddedTokens} tokens, {ScoredTokens} scored tokens per batch";
}
