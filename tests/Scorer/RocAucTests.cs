using PoFT.Scorer.Quality;

namespace PoFT.Tests.Scorer;

public class RocAucTests
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
        Assert.Equal(wins / (pos.Length * neg.Length), RocAuc.Of(pos, neg), 12);
    }

    [Fact]
    public void Auc_is_one_for_perfect_separation_zero_reversed_and_half_for_all_ties()
    {
        double[] high = [-0.5, -0.1, -0.2, -0.3];
        double[] low = [-3, -2.5, -1, -4, -0.6];
        Assert.Equal(1.0, RocAuc.Of(high, low));
        Assert.Equal(0.0, RocAuc.Of(low, high));
        Assert.Equal(0.5, RocAuc.Of([1, 1, 1], [1, 1]));
    }

    [Fact]
    public void Auc_needs_both_groups()
    {
        Assert.Throws<ArgumentException>(() => RocAuc.Of([], [1.0]));
        Assert.Throws<ArgumentException>(() => RocAuc.Of([1.0], []));
    }
}
