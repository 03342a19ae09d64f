using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>The DPO runs from one start at one noise level over their seeds: the held-out numbers before and after
/// DPO, and the training-set sizes they ran on (one value unless the runs disagree).</summary>
public sealed record DpoSummary(
    string Start,
    double Noise,
    IReadOnlyList<int> Seeds,
    IReadOnlyList<int> TrainPairs,
    MeanStd PreferenceAccuracyBefore,
    MeanStd PreferenceAccuracyAfter,
    MeanStd HeldOutCeBefore,
    MeanStd HeldOutCeAfter,
    MeanStd RewardAccuracyAfter,
    MeanStd RewardMarginAfter);
