using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Text.Chat;
using PoFT.Trainer.Model;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;
using static TorchSharp.torch;

namespace PoFT.Tests.Trainer;

/// <summary>A sample's weight scales its loss under every objective: 0 removes it, 2 doubles its contribution.</summary>
public class SampleWeightTests
{
    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    // Sample 0: Δ = r_θ − r̄ = −2 − (−1.5) = −0.5; sample 1: Δ = −1 − (−1.2) = 0.2.
    private static readonly double[] RTheta = [-2.0, -1.0], RBar = [-1.5, -1.2];

    public static TheoryData<ObjectiveKind, double, double> Unweighted => new()
    {
        // Hand-computed per-sample losses ℓ_0, ℓ_1 (bi-PoFT: sample 1 is marked noise, its preference reversed).
        { ObjectiveKind.Ce, 2.0, 1.0 },
        { ObjectiveKind.Poft, Softplus(0.5), Softplus(-0.2) },
        { ObjectiveKind.BiPoft, Softplus(0.5), Softplus(0.2) },
    };

    private static (double Loss, double[] Grad) Run(ObjectiveKind kind, double[] weights, double[]? rTheta = null)
    {
        var theta = tensor(rTheta ?? RTheta, requires_grad: true);
        using var output = new Objective(kind).Compute(theta, tensor(RBar), tensor(new[] { false, true }), tensor(weights));
        output.Loss.backward();
        return (output.Loss.item<double>(), theta.grad!.data<double>().ToArray());
    }

    [Theory]
    [MemberData(nameof(Unweighted))]
    public void Weight_zero_removes_a_sample_and_two_doubles_it(ObjectiveKind kind, double first, double second)
    {
        Assert.Equal((first + second) / 2, Run(kind, [1, 1]).Loss, 1e-12);
        var (dropped, grad) = Run(kind, [0, 1]);
        Assert.Equal(second / 2, dropped, 1e-12);
        Assert.Equal(0, grad[0]);
        // Whatever the dropped sample's r_θ, nothing changes.
        Assert.Equal(dropped, Run(kind, [0, 1], [-9.0, -1.0]).Loss, 1e-12);
        var (doubled, doubledGrad) = Run(kind, [2, 1]);
        Assert.Equal((2 * first + second) / 2, doubled, 1e-12);
        Assert.Equal(2 * Run(kind, [1, 1]).Grad[0], doubledGrad[0], 1e-12);
    }

    [Fact]
    public void PoFT_gradient_is_weight_times_tau_times_the_CE_gradient()
    {
        // ∂ℓ/∂r_θ = −β·τ for PoFT; with w, −w·β·τ: the data's weight and τ multiply.
        var (_, grad) = Run(ObjectiveKind.Poft, [3, 1]);
        var tau0 = 1 / (1 + Math.Exp(-0.5));
        Assert.Equal(-3 * tau0 / 2, grad[0], 1e-12);
    }

    [Fact]
    public void DPO_pair_weights_scale_each_pairs_loss()
    {
        // h = (−10 − (−12)) − (−15 − (−14)) = 3 and (−20 − (−19)) − (−18 − (−18.5)) = −1.5; β = 0.1.
        var objective = new DpoObjective(DpoLossType.Sigmoid, 0.1, 0);
        double Loss(double[]? w) => objective.Compute(new PairLogProbs(tensor(new[] { -10.0, -20 }), tensor(new[] { -15.0, -18 })),
            new PairLogProbs(tensor(new[] { -12.0, -19 }), tensor(new[] { -14.0, -18.5 })), w is null ? null : tensor(w)).Loss.item<double>();
        var (first, second) = (Softplus(-0.3), Softplus(0.15));
        Assert.Equal((first + second) / 2, Loss(null), 1e-12);
        Assert.Equal(second / 2, Loss([0, 1]), 1e-12);
        Assert.Equal((2 * first + second) / 2, Loss([2, 1]), 1e-12);
    }

    [Theory]
    [InlineData(ObjectiveKind.Ce)]
    [InlineData(ObjectiveKind.Poft)]
    [InlineData(ObjectiveKind.Dft)]
    public void A_micro_batch_takes_each_samples_weight_from_its_data(ObjectiveKind kind)
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 31);
        List<TokenizedSample> tokenized =
        [
            new("a", [1, 5, 9, 13, 22, 40], [false, false, false, true, true, true]),
            new("b", [2, 7, 11, 30, 31], [false, false, true, true, true]),
        ];
        double Loss(double weightA, params int[] which)
        {
            var samples = which.Select(i => new SftSample(tokenized[i].Id, []) { Weight = i == 0 ? weightA : 1 }).ToList();
            using var batch = new TrainingBatch([.. which.Select(i => tokenized[i])], CPU, packed: true);
            var reference = which.Select(i => new PreferenceScore(tokenized[i].Id, [], -4.0)).ToList();
            return new Objective(kind).Loss(new MicroBatch(samples, batch, model, reference), new StepTally()).Loss.item<float>();
        }
        // Weight 0: what sample b alone gives, over the batch's two samples (DFT: over its tokens, a's 3 included).
        var bAlone = Loss(1, 1);
        Assert.Equal(kind == ObjectiveKind.Dft ? bAlone * 3 / 6 : bAlone / 2, Loss(0, 0, 1), 1e-5);
        // Weight 2: a's share counted twice.
        var aShare = Loss(1, 0, 1) - Loss(0, 0, 1);
        Assert.Equal(2 * aShare, Loss(2, 0, 1) - Loss(0, 0, 1), 1e-5);
    }
}
