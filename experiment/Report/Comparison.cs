namespace PoFT.Experiment.Report;

/// <summary>One objective against the CE baseline at one noise level, on the seeds both ran: held-out CE
/// (lower is better) after the last epoch and at the best epoch.</summary>
public sealed record Comparison(string Candidate, string Baseline, double Noise, IReadOnlyList<int> Seeds, PairedOutcome Last, PairedOutcome Best)
{
    /// <summary>Null where either objective has no run on a shared seed at that noise level.</summary>
    public static Comparison? Of(IReadOnlyList<RunResult> runs, string candidate, string baseline, double noise)
    {
        var candidateRuns = RunsBySeed(runs, candidate, noise);
        var baselineRuns = RunsBySeed(runs, baseline, noise);
        // Paired by seed: both saw the same data order and noise draw, so the per-seed win count is a fair test.
        int[] seeds = [.. candidateRuns.Keys.Intersect(baselineRuns.Keys).Order()];
        if (seeds.Length == 0)
            return null;
        PairedOutcome Paired(Func<RunResult, EpochResult> epoch) => PairedOutcome.Of(
            [.. seeds.Select(s => epoch(candidateRuns[s]).HeldOutCe)],
            [.. seeds.Select(s => epoch(baselineRuns[s]).HeldOutCe)],
            higherIsBetter: false);
        return new Comparison(candidate, baseline, noise, seeds, Paired(Statistics.LastEpoch), Paired(Statistics.BestEpoch));
    }

    private static Dictionary<int, RunResult> RunsBySeed(IReadOnlyList<RunResult> runs, string objective, double noise) =>
        runs.Where(r => r.Objective == objective && r.Noise == noise).ToDictionary(r => r.Seed);
}
