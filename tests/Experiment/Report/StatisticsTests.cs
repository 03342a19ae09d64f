using System.Globalization;
using PoFT.Experiment.Report;

namespace PoFT.Tests.Experiment.Report;

public class StatisticsTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 7, 3)]
    [InlineData(3, 50, 80)]
    [InlineData(4, 300, 200)]
    public void Auc_equals_the_pairwise_count_with_ties_half(int seed, int positives, int negatives)
    {
        var random = new Random(seed);
        // Few distinct values, so many scores tie within and across the two groups.
        double[] pos = [.. Enumerable.Range(0, positives).Select(_ => Math.Round(random.NextDouble() * 6) / 2)];
        double[] neg = [.. Enumerable.Range(0, negatives).Select(_ => Math.Round(random.NextDouble() * 5) / 2)];
        double wins = 0;
        foreach (var p in pos)
            foreach (var n in neg)
                wins += p > n ? 1 : p == n ? 0.5 : 0;
        Assert.Equal(wins / (pos.Length * neg.Length), Statistics.Auc(pos, neg), 12);
    }

    [Fact]
    public void Auc_is_one_for_perfect_separation_zero_reversed_and_half_for_all_ties()
    {
        double[] high = [-0.5, -0.1, -0.2, -0.3];
        double[] low = [-3, -2.5, -1, -4, -0.6];
        Assert.Equal(1.0, Statistics.Auc(high, low));
        Assert.Equal(0.0, Statistics.Auc(low, high));
        Assert.Equal(0.5, Statistics.Auc([1, 1, 1], [1, 1]));
    }

    [Fact]
    public void Auc_needs_both_groups()
    {
        Assert.Throws<ArgumentException>(() => Statistics.Auc([], [1.0]));
        Assert.Throws<ArgumentException>(() => Statistics.Auc([1.0], []));
    }

    [Fact]
    public void MeanStd_is_the_mean_and_the_sample_std()
    {
        // Deviations from the mean 5: -3 -1 -1 -1 0 0 2 4, squares summing to 32; sample variance 32 / 7.
        var stats = MeanStd.Of([2, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(5.0, stats.Mean, 12);
        Assert.Equal(2.1380899352993950, stats.Std, 12);
        Assert.Equal(8, stats.N);
        Assert.Equal("5.0000 ± 2.1381", stats.Format(4));
        Assert.Equal("5.00 ± 2.14", stats.Format(2));
    }

    [Fact]
    public void MeanStd_of_one_value_has_no_spread_and_formats_as_the_mean_alone()
    {
        var stats = MeanStd.Of([3.25]);
        Assert.Equal(0.0, stats.Std);
        Assert.Equal("3.2500", stats.Format(4));
    }

    [Fact]
    public void MeanStd_formats_with_the_invariant_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.Equal("1.5000 ± 0.7071", MeanStd.Of([1, 2]).Format(4));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Summaries_take_the_last_epoch_and_the_best_trained_epoch_per_seed()
    {
        // Epoch 0 (the base model) has the lowest CE of all and must not count as a best epoch.
        RunResult Run(int seed, params double[] ce) =>
            new("poft", 0.4, seed, [.. ce.Select((v, i) => new EpochResult(i, v, null, null))], 1, 10);
        var summary = Assert.Single(Statistics.Summarise([Run(2, 1.0, 3.0, 2.5, 2.7), Run(1, 1.0, 2.8, 2.9, 2.6)]));
        Assert.Equal([1, 2], summary.Seeds);
        Assert.Equal([3, 2], summary.BestEpochs);
        Assert.Equal((2.6 + 2.7) / 2, summary.LastEpoch.Mean, 12);
        Assert.Equal((2.6 + 2.5) / 2, summary.BestEpoch.Mean, 12);
        Assert.Equal(Math.Sqrt(2 * 0.05 * 0.05), summary.BestEpoch.Std, 12);
    }
}
