namespace PoFT.Experiment.Report;

/// <summary>DPO from one start against DPO from the baseline's start at one noise level, on the seeds both ran,
/// after DPO: held-out preference accuracy (higher is better) and held-out clean CE (lower is better).</summary>
public sealed record DpoComparison(string Candidate, string Baseline, double Noise, PairedOutcome PreferenceAccuracy, PairedOutcome HeldOutCe)
{
    /// <summary>Null where either start has no DPO run on a shared seed at that noise level.</summary>
    public static DpoComparison? Of(IReadOnlyList<DpoResult> runs, string candidate, string baseline, double noise) =>
        SeedPairs.At(runs, r => (r.Start, r.Noise, r.Seed), candidate, baseline, noise) is { } pairs
            ? new DpoComparison(candidate, baseline, noise,
                pairs.Outcome(r => r.After.PreferenceAccuracy, higherIsBetter: true),
                pairs.Outcome(r => r.After.HeldOutCe, higherIsBetter: false))
            : null;
}
