namespace PoFT.Experiment.Report;

/// <summary>One objective against the CE baseline at one noise level, on the seeds both ran: held-out CE
/// (lower is better) after the last epoch and at the best epoch.</summary>
public sealed record Comparison(string Candidate, string Baseline, double Noise, PairedOutcome Last, PairedOutcome Best)
{
    /// <summary>Null where either objective has no run on a shared seed at that noise level.</summary>
    public static Comparison? Of(IReadOnlyList<RunResult> runs, string candidate, string baseline, double noise) =>
        SeedPairs.At(runs, r => (r.Objective, r.Noise, r.Seed), candidate, baseline, noise) is { } pairs
            ? new Comparison(candidate, baseline, noise,
                pairs.Outcome(r => Statistics.LastEpoch(r).HeldOutCe, higherIsBetter: false),
                pairs.Outcome(r => Statistics.BestEpoch(r).HeldOutCe, higherIsBetter: false))
            : null;
}
