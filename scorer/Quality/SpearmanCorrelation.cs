namespace PoFT.Scorer.Quality;

/// <summary>Spearman's rank correlation: Pearson's correlation of the two samples' ranks, tied values sharing their
/// average rank (as scipy.stats.spearmanr computes it), so it stays exact with ties where the 1 − 6Σd²/(n(n²−1))
/// shortcut does not.</summary>
public static class SpearmanCorrelation
{
    /// <returns>ρ in [−1, 1]; null where it is undefined: fewer than two pairs, or one side constant.</returns>
    public static double? Of(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"rank correlation of {x.Count} values with {y.Count}");
        if (x.Count < 2)
            return null;
        var (rx, ry) = (AverageRanks(x), AverageRanks(y));
        var (mx, my) = (rx.Average(), ry.Average());
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? null : Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>1-based ranks in the values' order; a tied block shares the mean of the ranks it spans.</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
                end++;
            for (var i = start; i <= end; i++)
                ranks[order[i]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        return ranks;
    }
}
