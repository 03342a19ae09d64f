namespace PoFT.Scorer.Quality;

/// <summary>The spread of one score over a data set: mean, sample standard deviation (n − 1; 0 for one value) and
/// the quantiles min, 5, 25, 50, 75, 95 %, max, each by linear interpolation between order statistics (Hyndman and
/// Fan's type 7, the default of numpy.quantile and R's quantile), so the figures can be checked with either.</summary>
public sealed record ScoreDistribution(int Count, double Mean, double Std, double Min, double P5, double P25, double P50, double P75, double P95, double Max)
{
    public static ScoreDistribution Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("a distribution needs at least one value");
        var sorted = values.Order().ToArray();
        var mean = values.Average();
        var std = values.Count == 1 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new ScoreDistribution(values.Count, mean, std, sorted[0], Quantile(sorted, 0.05), Quantile(sorted, 0.25), Quantile(sorted, 0.5),
            Quantile(sorted, 0.75), Quantile(sorted, 0.95), sorted[^1]);
    }

    /// <summary>Type 7: h = (n − 1)·p, between the order statistics ⌊h⌋ and ⌊h⌋ + 1 (0-based).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        var h = (sorted.Count - 1) * p;
        var below = (int)Math.Floor(h);
        return below + 1 >= sorted.Count ? sorted[^1] : sorted[below] + (h - below) * (sorted[below + 1] - sorted[below]);
    }
}
