using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Objectives;
using static TorchSharp.torch;

namespace PoFT.Tests.Trainer;

public class DpoObjectiveTests
{
    private static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));

    private static (double Loss, double[] ChosenRewards, double[] RejectedRewards) Run(DpoObjective objective, double[] policyChosen, double[] policyRejected,
        double[] referenceChosen, double[] referenceRejected)
    {
        using var output = objective.Compute(new PairLogProbs(tensor(policyChosen), tensor(policyRejected)),
            new PairLogProbs(tensor(referenceChosen), tensor(referenceRejected)));
        return (output.Loss.item<double>(), output.ChosenRewards.data<double>().ToArray(), output.RejectedRewards.data<double>().ToArray());
    }

    // Two pairs: h = (−10 − (−12)) − (−15 − (−14)) = 3 and h = (−20 − (−19)) − (−18 − (−18.5)) = −1.5.
    private static readonly double[] PolicyChosen = [-10, -20], PolicyRejected = [-15, -18], ReferenceChosen = [-12, -19], ReferenceRejected = [-14, -18.5];
    private static readonly double[] Margins = [3, -1.5];

    [Theory]
    [InlineData(0.1, 0.0)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.1, 0.2)]
    public void Sigmoid_is_conservative_DPO_by_hand(double beta, double epsilon)
    {
        var expected = Margins.Average(h => -(1 - epsilon) * LogSigmoid(beta * h) - epsilon * LogSigmoid(-beta * h));
        var (loss, chosen, rejected) = Run(new DpoObjective(DpoLossType.Sigmoid, beta, epsilon), PolicyChosen, PolicyRejected, ReferenceChosen, ReferenceRejected);
        Assert.Equal(expected, loss, 1e-12);
        Assert.Equal([beta * 2, beta * -1], chosen, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([beta * -1, beta * 0.5], rejected, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Theory]
    [InlineData(0.1, 0.1)]
    [InlineData(0.3, 0.25)]
    public void Robust_is_the_unbiased_loss_under_flipped_labels_by_hand(double beta, double epsilon)
    {
        var expected = Margins.Average(h => (-(1 - epsilon) * LogSigmoid(beta * h) + epsilon * LogSigmoid(-beta * h)) / (1 - 2 * epsilon));
        Assert.Equal(expected, Run(new DpoObjective(DpoLossType.Robust, beta, epsilon), PolicyChosen, PolicyRejected, ReferenceChosen, ReferenceRejected).Loss, 1e-12);
    }

    [Fact]
    public void Robust_without_label_noise_is_DPO()
    {
        var robust = Run(new DpoObjective(DpoLossType.Robust, 0.2, 0), PolicyChosen, PolicyRejected, ReferenceChosen, ReferenceRejected).Loss;
        var sigmoid = Run(new DpoObjective(DpoLossType.Sigmoid, 0.2, 0), PolicyChosen, PolicyRejected, ReferenceChosen, ReferenceRejected).Loss;
        Assert.Equal(sigmoid, robust, 1e-12);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0)]
    public void IPO_regresses_the_margin_to_one_over_two_beta_by_hand(double beta)
    {
        var expected = Margins.Average(h => Math.Pow(h - 1 / (2 * beta), 2));
        Assert.Equal(expected, Run(new DpoObjective(DpoLossType.Ipo, beta, 0), PolicyChosen, PolicyRejected, ReferenceChosen, ReferenceRejected).Loss, 1e-10);
    }

    [Fact]
    public void Policy_equal_to_the_reference_gives_log_2_and_zero_rewards()
    {
        var (loss, chosen, rejected) = Run(new DpoObjective(DpoLossType.Sigmoid, 0.1, 0), PolicyChosen, PolicyRejected, PolicyChosen, PolicyRejected);
        Assert.Equal(Math.Log(2), loss, 1e-12);
        Assert.All(chosen.Concat(rejected), r => Assert.Equal(0, r));
    }

    [Theory]
    [InlineData(1e4)]
    [InlineData(-1e4)]
    public void Stable_for_large_margins(double h)
    {
        using var chosen = tensor(new[] { h }).requires_grad_();
        using var output = new DpoObjective(DpoLossType.Sigmoid, 1, 0).Compute(new PairLogProbs(chosen, tensor(new[] { 0.0 })), new PairLogProbs(tensor(new[] { 0.0 }), tensor(new[] { 0.0 })));
        output.Loss.backward();
        // −log σ(h) → max(0, −h), its slope → −1 for h ≪ 0 and 0 for h ≫ 0.
        Assert.Equal(Math.Max(0, -h), output.Loss.item<double>(), 1e-6);
        Assert.Equal(h < 0 ? -1 : 0, chosen.grad!.item<double>(), 1e-6);
    }

    /// <summary>DPO's gradient, from its paper: ∇L = −β σ(−βh) (∇ log π(y_w) − ∇ log π(y_l)) per pair. The model's
    /// two log-prob gradients are taken separately by autograd and combined by that formula; the whole loss's
    /// autograd gradient must equal it.</summary>
    [Fact]
    public void Autograd_gradient_on_a_tiny_model_is_the_analytic_DPO_gradient()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 21);
        // One prompt (tokens 1, 5, 9) with two completions of different lengths, padded to one width.
        var ids = tensor(new long[] { 1, 5, 9, 13, 22, 40, 41, 1, 5, 9, 30, 31, 0, 0 }, [2, 7]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, [2, 7]);
        var completion = tensor(new float[] { 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0 }, [2, 6]);
        var (referenceChosen, referenceRejected, beta) = (-14.0, -9.0, 0.7);

        float[] Gradient(Func<Tensor, Tensor, Tensor> loss)
        {
            model.zero_grad();
            var sums = (model.TokenLogProbs(ids, mask) * completion).sum(1);
            loss(sums[0], sums[1]).backward();
            return [.. model.parameters().SelectMany(p => p.grad!.data<float>().ToArray())];
        }

        double h;
        using (no_grad())
        {
            var sums = (model.TokenLogProbs(ids, mask) * completion).sum(1).to(ScalarType.Float64).data<double>().ToArray();
            h = sums[0] - referenceChosen - (sums[1] - referenceRejected);
        }
        var chosen = Gradient((c, _) => c);
        var rejected = Gradient((_, r) => r);
        var dpo = Gradient((c, r) =>
        {
            using var output = new DpoObjective(DpoLossType.Sigmoid, beta, 0).Compute(
                new PairLogProbs(c.unsqueeze(0), r.unsqueeze(0)), new PairLogProbs(tensor(new[] { (float)referenceChosen }), tensor(new[] { (float)referenceRejected })));
            return output.Loss.alias();
        });
        var weight = -beta * (1 / (1 + Math.Exp(beta * h)));
        Assert.Contains(chosen, g => Math.Abs(g) > 1e-3);
        for (var i = 0; i < dpo.Length; i++)
            Assert.Equal(weight * (chosen[i] - rejected[i]), dpo[i], 1e-5);
    }
}
