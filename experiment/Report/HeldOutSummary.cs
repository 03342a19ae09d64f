using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>Held-out clean CE of one objective at one noise level over its seeds: after the last epoch, and at
/// each run's best epoch (epochs ≥ 1 only: epoch 0 is the untouched base model), with the best epochs themselves.</summary>
public sealed record HeldOutSummary(
    string Objective,
    double Noise,
    IReadOnlyList<int> Seeds,
    MeanStd LastEpoch,
    MeanStd BestEpoch,
    IReadOnlyList<int> BestEpochs);
