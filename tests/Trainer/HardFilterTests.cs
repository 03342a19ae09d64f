using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Trainer;

public class HardFilterTests
{
    private static SftSample Sample(string id) => new(id, [new ChatMessage(ChatMessage.User, "q"), new ChatMessage(ChatMessage.Assistant, "a")]);

    [Fact]
    public void Keeps_the_top_percent_by_reference_score_in_file_order()
    {
        var samples = new[] { "a", "b", "c", "d", "e" }.Select(Sample).ToList();
        double[] references = [-3.0, -0.5, -2.0, -0.1, -4.0];
        var scores = samples.Zip(references, (s, r) => new PreferenceScore(s.Id, [], r)).ToDictionary(p => p.SampleId);

        Assert.Equal(["b", "d"], HardFilter.KeepTop(samples, scores, 40).Select(s => s.Id));
        // 50 % of 5 rounds up to 3.
        Assert.Equal(["b", "c", "d"], HardFilter.KeepTop(samples, scores, 50).Select(s => s.Id));
        Assert.Equal(5, HardFilter.KeepTop(samples, scores, 100).Count);
    }

    [Fact]
    public void By_ifd_keeps_the_lowest_mean_ifd_of_the_models()
    {
        var samples = new[] { "a", "b", "c", "d" }.Select(Sample).ToList();
        // Two models, each one token: r(y|x) and r(y) per model; IFD_j = exp(r_j(y) − r_j(y|x)).
        // a: e^0.5, e^0.5 → e^0.5 ≈ 1.65; b: e^−1, e^−1 → 0.37; c: e^−2, e^1 → (0.135 + 2.718)/2 ≈ 1.43; d: e^0, e^−0.5 → (1 + 0.61)/2 ≈ 0.80.
        (double[] Given, double[] Alone)[] logProbs = [([-1, -1], [-0.5, -0.5]), ([-1, -1], [-2, -2]), ([-1, -2], [-3, -1]), ([-1, -1], [-1, -1.5])];
        var scores = samples.Zip(logProbs, (s, l) => new PreferenceScore(s.Id, [.. l.Given.Select(v => new ModelScore(v, 1))], 0)
        {
            ResponseOnly = [.. l.Alone.Select(v => new ModelScore(v, 1))],
        }).ToDictionary(p => p.SampleId);

        Assert.Equal((Math.Exp(-2) + Math.Exp(1)) / 2, scores["c"].Ifd!.Value, 12);
        // ⌈4 · 50 %⌉ = 2: b and d, in file order.
        Assert.Equal(["b", "d"], HardFilter.KeepTop(samples, scores, 50, KeepTopBy.Ifd).Select(s => s.Id));
        Assert.Equal(["b", "c", "d"], HardFilter.KeepTop(samples, scores, 75, KeepTopBy.Ifd).Select(s => s.Id));
    }

    [Fact]
    public void By_ifd_a_score_without_ifd_is_refused_naming_the_sample()
    {
        var samples = new[] { "a" , "b" }.Select(Sample).ToList();
        var scores = samples.ToDictionary(s => s.Id, s => new PreferenceScore(s.Id, [new ModelScore(-1, 1)], -1));
        var e = Assert.Throws<InvalidDataException>(() => HardFilter.KeepTop(samples, scores, 50, KeepTopBy.Ifd));
        Assert.Contains("'a'", e.Message);
    }
}
