using PoFT.Shared.Data;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Text.Chat;
using PoFT.Trainer.Model;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;
using static TorchSharp.torch;

namespace PoFT.Tests.Trainer;

/// <summary>DFT (−sg(p)·log p per response token, averaged over the micro-batch's response tokens) by hand and its
/// gradient identity against per-token back-propagation.</summary>
public class DftObjectiveTests
{
    // Two samples, four positions each; response at positions 1–3 of the first and 2–3 of the second.
    private static readonly double[] LogProbs = [-0.3, -0.5, -1.2, -2.0, -0.7, -0.1, -0.9, -3.0];
    private static readonly float[] Mask = [0, 1, 1, 1, 0, 0, 1, 1];

    [Fact]
    public void DFT_matches_hand_computed_values()
    {
        // Σ over the five response tokens of −e^{lp}·lp, divided by 5.
        double Term(double lp) => -Math.Exp(lp) * lp;
        var first = Term(-0.5) + Term(-1.2) + Term(-2.0);
        var second = Term(-0.9) + Term(-3.0);
        var (loss, perSample) = Objective.Dft(tensor(LogProbs, [2, 4]), tensor(Mask, [2, 4]));
        Assert.Equal((first + second) / 5, loss.item<double>(), 1e-12);
        Assert.Equal([first, second], perSample.data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void DFT_weights_scale_each_sample_and_keep_the_token_count()
    {
        double Term(double lp) => -Math.Exp(lp) * lp;
        var first = Term(-0.5) + Term(-1.2) + Term(-2.0);
        var second = Term(-0.9) + Term(-3.0);
        var (loss, _) = Objective.Dft(tensor(LogProbs, [2, 4]), tensor(Mask, [2, 4]), tensor(new[] { 2.0, 0.0 }));
        Assert.Equal(2 * first / 5, loss.item<double>(), 1e-12);
    }

    [Fact]
    public void DFT_gradient_is_each_tokens_probability_times_its_CE_gradient()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 23);
        var samples = new List<SftSample> { new("a", []), new("b", []) };
        var tokenized = new List<TokenizedSample>
        {
            new("a", [1, 5, 9, 13, 22, 40, 41, 3], [false, false, false, true, true, true, true, true]),
            new("b", [2, 7, 11, 30, 31], [false, false, true, true, true]),
        };
        using var batch = new TrainingBatch(tokenized, CPU, packed: true);
        var microBatch = new MicroBatch(samples, batch, model, null);

        model.zero_grad();
        new Objective(ObjectiveKind.Dft).Loss(microBatch, new StepTally()).Loss.backward();
        var autograd = Gradients(model);

        // By hand: Σ_t p_t·∇(−log p_t) / n, each token's ∇(−log p_t) back-propagated alone and p_t a plain number.
        var logProbs = microBatch.TokenLogProbs().detach().data<float>().ToArray();
        var mask = batch.SampleResponseMask.data<float>().ToArray();
        var positions = Enumerable.Range(0, mask.Length).Where(i => mask[i] == 1).ToArray();
        Assert.Equal(8, positions.Length);
        var byHand = new float[autograd.Length];
        foreach (var position in positions)
        {
            model.zero_grad();
            (-microBatch.TokenLogProbs().flatten()[position]).backward();
            var p = Math.Exp(logProbs[position]);
            foreach (var (g, i) in Gradients(model).Select((g, i) => (g, i)))
                byHand[i] += (float)(p * g / positions.Length);
        }
        Assert.Contains(byHand, g => Math.Abs(g) > 1e-5);
        for (var i = 0; i < byHand.Length; i++)
            Assert.Equal(byHand[i], autograd[i], 1e-6f);

        // Not CE's gradient: the probabilities reweight it.
        model.zero_grad();
        new Objective(ObjectiveKind.Ce).Loss(microBatch, new StepTally()).Loss.backward();
        var ce = Gradients(model);
        Assert.Contains(Enumerable.Range(0, ce.Length), i => Math.Abs(ce[i] - autograd[i]) > 1e-4);
    }

    [Fact]
    public void DFT_needs_no_reference_scores_and_is_refused_by_Compute()
    {
        Assert.Throws<InvalidOperationException>(() => new Objective(ObjectiveKind.Dft).Compute(tensor(new[] { -1.0 }), tensor(new[] { -1.0 }), tensor(new[] { false })));
        Assert.Equal("dft", ObjectiveNames.Of(ObjectiveKind.Dft));
    }

    private static float[] Gradients(LlamaForCausalLM model) =>
        [.. model.parameters().SelectMany(p => p.grad is null ? new float[p.NumberOfElements] : p.grad.data<float>().ToArray())];
}
