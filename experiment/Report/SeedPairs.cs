namespace PoFT.Experiment.Report;

/// <summary>
/// A candidate's and a baseline's runs at one noise level, matched by seed: both saw the same data order and noise
/// draw, so comparing them seed by seed is a fair test. Every comparison of the report starts here
/// (<see cref="Comparison"/>, <see cref="DpoComparison"/>); they differ only in the runs and the numbers compared.
/// </summary>
/// <param name="pairs">One pair per seed both sides ran, by seed ascending.</param>
public sealed class SeedPairs<TRun>(IReadOnlyList<(TRun Candidate, TRun Baseline)> pairs)
{
    /// <summary>One number of both sides, paired by seed.</summary>
    public PairedOutcome Outcome(Func<TRun, double> value, bool higherIsBetter) =>
        PairedOutcome.Of([.. pairs.Select(p => value(p.Candidate))], [.. pairs.Select(p => value(p.Baseline))], higherIsBetter);
}

/// <summary>Where a <see cref="SeedPairs{TRun}"/> comes from.</summary>
public static class SeedPairs
{
    /// <param name="key">A run's label (its objective, or the start a DPO run began from), noise level and seed.</param>
    /// <returns>Null where the two labels share no seed at <paramref name="noise"/>.</returns>
    public static SeedPairs<TRun>? At<TRun>(IEnumerable<TRun> runs, Func<TRun, (string Label, double Noise, int Seed)> key,
        string candidate, string baseline, double noise)
    {
        // A dictionary, so that two runs of one seed on one side fail loudly rather than pair arbitrarily.
        Dictionary<int, TRun> Side(string label) => runs.Select(r => (Run: r, Key: key(r)))
            .Where(r => r.Key.Label == label && r.Key.Noise == noise).ToDictionary(r => r.Key.Seed, r => r.Run);
        var (candidates, baselines) = (Side(candidate), Side(baseline));
        int[] seeds = [.. candidates.Keys.Intersect(baselines.Keys).Order()];
        return seeds.Length == 0 ? null : new SeedPairs<TRun>([.. seeds.Select(s => (candidates[s], baselines[s]))]);
    }
}
