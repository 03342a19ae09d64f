namespace PoFT.Experiment.Report;

/// <summary>DPO from one start against DPO from the baseline's start at one noise level, on the seeds both ran,
/// after DPO: held-out preference accuracy (higher is better) and held-out clean CE (lower is better).</summary>
public sealed record DpoComparison(string Candidate, string Baseline, double Noise, PairedOutcome PreferenceAccuracy, PairedOutcome HeldOutCe)
{
    /// <summary>Null where either start has no DPO run on a shared seed at that noise level.</summary>
    public static DpoComparison? Of(IReadOnlyList<DpoResult> runs, string candidate, string baseline, double noise)
    {
        var pairs = SeedPairs.Of(Runs(runs, candidate, noise), Runs(runs, baseline, noise), r => r.Seed);
        if (pairs.Count == 0)
            return null;
        PairedOutcome Paired(Func<DpoPoint, double> value, bool higherIsBetter) => PairedOutcome.Of(
            [.. pairs.Select(p => value(p.Candidate.After))],
            [.. pairs.Select(p => value(p.Baseline.After))],
            higherIsBetter);
        return new DpoComparison(candidate, baseline, noise,
            Paired(p => p.PreferenceAccuracy, higherIsBetter: true), Paired(p => p.HeldOutCe, higherIsBetter: false));
    }

    private static IEnumerable<DpoResult> Runs(IReadOnlyList<DpoResult> runs, string start, double noise) =>
        runs.Where(r => r.Start == start && r.Noise == noise);
}
