using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>How well r̄ separates clean from noise samples at one noise level: the AUC per seed (mean ± std),
/// and the mean r̄ of each kind pooled over seeds.</summary>
public sealed record ReferenceScoreSummary(double Noise, MeanStd Auc, double MeanClean, double MeanNoise, int CleanCount, int NoiseCount);
