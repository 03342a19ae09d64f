namespace PoFT.Scorer.Quality;

/// <summary>How well a score separates two groups of samples (clean from noisy, chosen from rejected): the
/// experiment's report, the precision benchmark and data-quality reports all state it.</summary>
public static class RocAuc
{
    /// <summary>ROC AUC = P(positive &gt; negative) + ½·P(tie), from the Mann–Whitney U of the pooled ranks (ties
    /// share their average rank), so it costs one sort instead of a comparison per pair.</summary>
    public static double Of(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        if (positives.Count == 0 || negatives.Count == 0)
            throw new ArgumentException("AUC needs at least one positive and one negative score");
        var pooled = positives.Select(v => (Value: v, Positive: true))
            .Concat(negatives.Select(v => (Value: v, Positive: false)))
            .OrderBy(p => p.Value)
            .ToArray();
        if (pooled.Any(p => double.IsNaN(p.Value)))
            throw new ArgumentException("AUC of NaN scores is undefined");
        double positiveRankSum = 0;
        for (var start = 0; start < pooled.Length;)
        {
            var end = start;
            while (end + 1 < pooled.Length && pooled[end + 1].Value == pooled[start].Value)
                end++;
            // Ranks are 1-based: the tied block start..end shares the mean of ranks start+1..end+1.
            var averageRank = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++)
                if (pooled[i].Positive)
                    positiveRankSum += averageRank;
            start = end + 1;
        }
        double n1 = positives.Count, n0 = negatives.Count;
        var u = positiveRankSum - n1 * (n1 + 1) / 2;
        return u / (n1 * n0);
    }
}
