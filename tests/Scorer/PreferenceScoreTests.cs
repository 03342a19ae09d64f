using PoFT.Shared.Scoring;

namespace PoFT.Tests.Scorer;

public class PreferenceScoreTests
{
    private static readonly ModelScore[] Scores = [new(-3.0, 4), new(-1.0, 5)];

    [Theory]
    [InlineData(1e308, 1e308, 1, 1)]
    [InlineData(1e308, 3e307, 10, 3)]
    [InlineData(double.MaxValue, double.MaxValue / 4, 4, 1)]
    public void Weights_near_the_double_limit_give_the_reference_of_their_ratio(double hugeA, double hugeB, double smallA, double smallB)
    {
        var huge = PreferenceScore.Combine("s", Scores, [hugeA, hugeB]);
        var expected = (smallA * Scores[0].Mean + smallB * Scores[1].Mean) / (smallA + smallB);
        Assert.Equal(expected, huge.Reference, 12);
    }

    [Fact]
    public void A_model_mean_that_is_not_finite_is_refused_naming_the_sample()
    {
        var error = Assert.Throws<InvalidDataException>(() => PreferenceScore.Combine("sample-7", [Scores[0], new ModelScore(double.NegativeInfinity, 2)], [1, 1]));
        Assert.Contains("sample 'sample-7'", error.Message);
        Assert.Contains("finite", error.Message);
    }
}
