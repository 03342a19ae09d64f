namespace PoFT.Experiment.Report;

/// <summary>One objective against the CE baseline at one noise level, on the seeds both ran: held-out CE
/// (lower is better) after the last epoch and at the best epoch, and how many seeds the candidate won by itself.</summary>
public sealed record Comparison(
    string Candidate,
    string Baseline,
    double Noise,
    IReadOnlyList<int> Seeds,
    MeanStd CandidateLast,
    MeanStd BaselineLast,
    MeanStd CandidateBest,
    MeanStd BaselineBest,
    int SeedsWonLast,
    int SeedsWonBest)
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
        double[] cLast = [.. seeds.Select(s => Statistics.LastEpoch(candidateRuns[s]).HeldOutCe)];
        double[] bLast = [.. seeds.Select(s => Statistics.LastEpoch(baselineRuns[s]).HeldOutCe)];
        double[] cBest = [.. seeds.Select(s => Statistics.BestEpoch(candidateRuns[s]).HeldOutCe)];
        double[] bBest = [.. seeds.Select(s => Statistics.BestEpoch(baselineRuns[s]).HeldOutCe)];
        return new Comparison(candidate, baseline, noise, seeds,
            MeanStd.Of(cLast), MeanStd.Of(bLast), MeanStd.Of(cBest), MeanStd.Of(bBest),
            cLast.Zip(bLast).Count(p => p.First < p.Second),
            cBest.Zip(bBest).Count(p => p.First < p.Second));
    }

    /// <summary>Baseline minus candidate: positive where the candidate has the lower held-out CE.</summary>
    public double MarginLast => BaselineLast.Mean - CandidateLast.Mean;

    public double MarginBest => BaselineBest.Mean - CandidateBest.Mean;

    /// <summary>The seeds' spread of both sides together, √(σ²₁ + σ²₂): a margin below it is within seed noise.</summary>
    public double CombinedStdLast => Math.Sqrt(CandidateLast.Std * CandidateLast.Std + BaselineLast.Std * BaselineLast.Std);

    public double CombinedStdBest => Math.Sqrt(CandidateBest.Std * CandidateBest.Std + BaselineBest.Std * BaselineBest.Std);

    private static Dictionary<int, RunResult> RunsBySeed(IReadOnlyList<RunResult> runs, string objective, double noise) =>
        runs.Where(r => r.Objective == objective && r.Noise == noise).ToDictionary(r => r.Seed);
}
