using System.Globalization;
using PoFT.Experiment.Report;
using PoFT.Report;

namespace PoFT.Tests.Experiment.Report;

public class StatisticsTests
{
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
