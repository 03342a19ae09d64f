using PoFT.Shared.Chat;
using PoFT.Shared.Data;

namespace PoFT.Trainer.Training;

/// <summary>What a run trains and evaluates on, and how the target model tokenizes a sample.</summary>
public sealed record TrainingData(IReadOnlyList<SftSample> Train, IReadOnlyList<SftSample> Eval, Func<SftSample, TokenizedSample> Tokenize);
