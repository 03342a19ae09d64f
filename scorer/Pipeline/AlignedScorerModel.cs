using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Pipeline;

/// <summary>One aligned model ready to score: its own tokenization (tokenizer + chat template), its
/// log-prob backend (ONNX Runtime, or TorchSharp for parity checks) and what one of its batches may hold.</summary>
public sealed record AlignedScorerModel(string Name, double Weight, Func<SftSample, TokenizedSample> Tokenize, ITokenLogProbModel Model, BatchBudget Budget);
