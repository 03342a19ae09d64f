namespace PoFT.Experiment.Report;

/// <summary>A candidate's and a baseline's runs matched by seed: both saw the same data order and noise draw, so
/// comparing them seed by seed is a fair test.</summary>
public static class SeedPairs
{
    /// <summary>One pair per seed both sides ran, by seed ascending; empty where they share none.</summary>
    public static IReadOnlyList<(T Candidate, T Baseline)> Of<T>(IEnumerable<T> candidate, IEnumerable<T> baseline, Func<T, int> seed)
    {
        // A dictionary, so that two runs of one seed on one side fail loudly rather than pair arbitrarily.
        var candidates = candidate.ToDictionary(seed);
        var baselines = baseline.ToDictionary(seed);
        return [.. candidates.Keys.Intersect(baselines.Keys).Order().Select(s => (candidates[s], baselines[s]))];
    }
}
