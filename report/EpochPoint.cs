namespace PoFT.Report;

/// <summary>A per-epoch quantity over the seeds that have it at that epoch.</summary>
public sealed record EpochPoint(int Epoch, MeanStd Value);
