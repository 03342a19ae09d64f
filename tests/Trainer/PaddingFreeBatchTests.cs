using PoFT.Text.Chat;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;
using static TorchSharp.torch;

namespace PoFT.Tests.Trainer;

public class PaddingFreeBatchTests
{
    /// <summary>Samples of lengths 12, 3, 5, 7, 4, 9, 2, 6: packed into rows of 12 they take 4 rows, not 8.</summary>
    private static readonly List<TokenizedSample> Mixed = [.. new[] { 12, 3, 5, 7, 4, 9, 2, 6 }.Select((n, i) => Sample($"m{i}", n, seed: i))];

    private static TokenizedSample Sample(string id, int length, int seed)
    {
        var random = new Random(seed);
        // A prompt of about a third, then the response.
        return new TokenizedSample(id, [.. Enumerable.Range(0, length).Select(_ => random.Next(2, 97))],
            [.. Enumerable.Range(0, length).Select(t => t >= length / 3)]);
    }

    private static (Tensor RTheta, Dictionary<string, Tensor> Grads, TrainingBatch Batch) Run(LlamaForCausalLM model, List<TokenizedSample> samples, bool packed)
    {
        model.zero_grad(set_to_none: true);
        var batch = new TrainingBatch(samples, CPU, packed);
        var logProbs = model.TokenLogProbs(batch.InputIds, batch.AttentionMask, batch.ResponseMask);
        var rTheta = Objective.MeanResponseLogProb(batch.PerSample(logProbs), batch.SampleResponseMask);
        // Distinct weights per sample, so that one sample's r_θ standing for another's would show.
        (rTheta * arange(1, samples.Count + 1, ScalarType.Float32)).sum().backward();
        return (rTheta.detach(), model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()), batch);
    }

    [Theory]
    [InlineData("gqa-tied")]
    [InlineData("llama-bias-linear-rope-mha")]
    [InlineData("mistral-window-3")]
    public void Packed_rows_give_each_sample_the_r_theta_and_the_gradients_of_padded_rows(string variant)
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config(variant), seed: 41);
        var (padded, paddedGrads, paddedBatch) = Run(model, Mixed, packed: false);
        var (packed, packedGrads, packedBatch) = Run(model, Mixed, packed: true);

        Assert.Equal([8, 12], paddedBatch.InputIds.shape);
        Assert.Equal([4, 12], packedBatch.InputIds.shape);
        Assert.Equal(1 - 48.0 / 96, paddedBatch.PaddingFraction, 1e-12);
        Assert.Equal(0, packedBatch.PaddingFraction, 1e-12);
        foreach (var (a, b) in padded.data<float>().ToArray().Zip(packed.data<float>().ToArray()))
            Assert.Equal(a, b, 1e-5f);
        foreach (var (name, grad) in paddedGrads)
            Assert.True(allclose(grad, packedGrads[name], rtol: 1e-4, atol: 1e-6), name);
    }

    [Fact]
    public void A_samples_r_theta_does_not_change_when_others_share_its_row()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-untied-llama3-rope"), seed: 42);
        var target = Sample("target", 4, seed: 10);
        var (alone, _, _) = Run(model, [target], packed: true);
        // Rows of 12: the target (4) is the second sample of a row, after one of 5 that causal attention alone would let it see.
        var (shared, _, batch) = Run(model, [Sample("long", 12, seed: 11), target, Sample("a", 5, seed: 12), Sample("b", 3, seed: 13)], packed: true);

        Assert.Equal([2, 12], batch.InputIds.shape);
        Assert.Equal(2, batch.AttentionMask[1, 5].item<long>());
        Assert.Equal(alone[0].item<float>(), shared[1].item<float>(), 1e-5f);
    }

    [Fact]
    public void First_fit_decreasing_places_longest_first_into_the_first_row_with_room()
    {
        // 12 fills a row; 9, 7 and 6 open one each; 5 fills 7's; 4 goes beside 6; 3 fills 9's; 2 fills 6's.
        Assert.Equal([[0], [5, 1], [3, 2], [7, 4, 6]], RowPacker.FirstFitDecreasing([12, 3, 5, 7, 4, 9, 2, 6], 12));
        Assert.Throws<ArgumentException>(() => RowPacker.FirstFitDecreasing([5, 13], 12));
    }
}
