namespace PoFT.Experiment.Report;

/// <summary>One objective against the CE baseline at one noise level, on the seeds both ran: held-out CE
/// (lower is better) after the last epoch and at the best epoch.</summary>
public sealed record Comparison(string Candidate, string Baseline, double Noise, PairedOutcome Last, PairedOutcome Best)
{
    /// <summary>Null where either objective has no run on a shared seed at that noise level.</summary>
    public static Comparison? Of(IReadOnlyList<RunResult> runs, string candidate, string baseline, double noise)
    {
        var pairs = SeedPairs.Of(Runs(runs, candidate, noise), Runs(runs, baseline, noise), r => r.Seed);
        if (pairs.Count == 0)
            return null;
        PairedOutcome Paired(Func<RunResult, EpochResult> epoch) => PairedOutcome.Of(
            [.. pairs.Select(p => epoch(p.Candidate).HeldOutCe)],
            [.. pairs.Select(p => epoch(p.Baseline).HeldOutCe)],
            higherIsBetter: false);
        return new Comparison(candidate, baseline, noise, Paired(Statistics.LastEpoch), Paired(Statistics.BestEpoch));
    }

    private static IEnumerable<RunResult> Runs(IReadOnlyList<RunResult> runs, string objective, double noise) =>
        runs.Where(r => r.Objective == objective && r.Noise == noise);
}
