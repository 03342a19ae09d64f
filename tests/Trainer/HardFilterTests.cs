using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
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
}
