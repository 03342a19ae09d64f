using PoFT.Shared.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Pipeline;

/// <summary>One aligned model ready to score: its own tokenization (tokenizer + chat template), its
/// log-prob backend (ONNX Runtime, or TorchSharp for parity checks) and its batch size in padded tokens.</summary>
public sealed record AlignedScorerModel(string Name, double Weight, Func<SftSample, TokenizedSample> Tokenize, ITokenLogProbModel Model, int TokenBudget)
{
    /// <summary>Inside the backend a batch's logits take tokens × vocabulary × 4 bytes: this caps them, so a
    /// large vocabulary gets smaller batches instead of gigabytes of logits (and runs faster for it: the
    /// buffer stays closer to cache). Measured in README, Performance.</summary>
    public const long LogitsBytesPerBatch = 512L << 20;

    public static int TokenBudgetFor(int vocabularySize) =>
        (int)Math.Clamp(LogitsBytesPerBatch / (4L * Math.Max(1, vocabularySize)), 256, 8192);
}
