using PoFT.Shared.Data;

namespace PoFT.Shared.Scoring;

/// <summary>What the scorer hands the trainer through the channel: samples in the trainer's order, each
/// with its preference score (same index).</summary>
public sealed record ScoredBatch(IReadOnlyList<SftSample> Samples, IReadOnlyList<PreferenceScore> Scores);
