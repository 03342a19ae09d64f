using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Objectives;
using static TorchSharp.torch;

namespace PoFT.Tests.Trainer;

public class ObjectiveTests
{
    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static (float[] PerSample, float[] Tau) Run(Objective objective, double[] rTheta, double[] rBar, bool[]? noise = null)
    {
        using var output = objective.Compute(tensor(rTheta), tensor(rBar), tensor(noise ?? new bool[rTheta.Length]));
        return (output.PerSampleLoss.to(ScalarType.Float32).data<float>().ToArray(), output.Tau.to(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void PoFT_matches_hand_computed_values()
    {
        // Δ = r_θ − r̄ = −2.0 − (−1.5) = −0.5: loss = ln(1 + e^0.5) = 0.974077, τ = σ(0.5) = 0.622459.
        var (loss, tau) = Run(new Objective(ObjectiveKind.Poft), [-2.0], [-1.5]);
        Assert.Equal(0.974077f, loss[0], 1e-5f);
        Assert.Equal(0.622459f, tau[0], 1e-5f);
    }

    [Fact]
    public void Beta_scales_and_gamma_shifts_the_margin()
    {
        // β = 2, γ = 0.3, Δ = 1: margin 2.3, loss = ln(1 + e^−2.3), τ = σ(−2.3).
        var (loss, tau) = Run(new Objective(ObjectiveKind.Poft, Beta: 2, Gamma: 0.3), [-1.0], [-2.0]);
        Assert.Equal((float)Softplus(-2.3), loss[0], 1e-6f);
        Assert.Equal((float)Sigmoid(-2.3), tau[0], 1e-6f);
    }

    [Fact]
    public void CE_is_the_negative_mean_log_likelihood()
    {
        var (loss, _) = Run(new Objective(ObjectiveKind.Ce), [-2.5, -0.1], [0, 0]);
        Assert.Equal([2.5f, 0.1f], loss);
    }

    [Fact]
    public void BiPoFT_reverses_the_preference_on_noise_samples_only()
    {
        var bi = new Objective(ObjectiveKind.BiPoft);
        var (loss, _) = Run(bi, [-2.0, -2.0], [-1.5, -1.5], [false, true]);
        Assert.Equal((float)Softplus(0.5), loss[0], 1e-6f);
        Assert.Equal((float)Softplus(-0.5), loss[1], 1e-6f);
        var (poft, _) = Run(new Objective(ObjectiveKind.Poft), [-2.0, -2.0], [-1.5, -1.5], [false, true]);
        Assert.Equal(poft[1], poft[0]);
    }

    [Fact]
    public void Gradient_sign_flips_on_noise_samples_under_BiPoFT()
    {
        var rTheta = tensor(new[] { -2.0, -2.0 }, requires_grad: true);
        using var output = new Objective(ObjectiveKind.BiPoft).Compute(rTheta, tensor(new[] { -1.5, -1.5 }), tensor(new[] { false, true }));
        output.Loss.backward();
        var grad = rTheta.grad!.data<double>().ToArray();
        Assert.True(grad[0] < 0, "clean: raising r_θ lowers the loss");
        Assert.True(grad[1] > 0, "noise: raising r_θ raises the loss");
    }

    [Theory]
    [InlineData(100.0)]
    [InlineData(-100.0)]
    [InlineData(1000.0)]
    [InlineData(-1000.0)]
    public void Stable_for_large_margins(double delta)
    {
        var rTheta = tensor(new[] { (float)(delta - 1.0) }, requires_grad: true);
        using var output = new Objective(ObjectiveKind.Poft).Compute(rTheta, tensor(new[] { -1.0f }), tensor(new[] { false }));
        output.Loss.backward();
        var loss = output.Loss.item<float>();
        var grad = rTheta.grad!.item<float>();
        Assert.True(float.IsFinite(loss) && float.IsFinite(grad));
        // softplus(−Δ) → max(0, −Δ); its slope in r_θ → −1 for Δ ≪ 0 and 0 for Δ ≫ 0.
        Assert.Equal((float)Math.Max(0, -delta), loss, 1e-3f);
        Assert.Equal(delta < 0 ? -1f : 0f, grad, 1e-3f);
    }

    [Fact]
    public void PoFT_gradient_is_tau_times_the_CE_gradient_per_sample()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 21);
        var ids = tensor(new long[] { 1, 5, 9, 13, 22, 40, 41, 3 }, [1, 8]);
        var mask = ones_like(ids);
        var response = tensor(new float[] { 0, 0, 0, 1, 1, 1, 1 }, [1, 7]);
        var rBar = tensor(new[] { -4.4f });

        float[] Gradient(ObjectiveKind kind, out float tau)
        {
            model.zero_grad();
            var rTheta = Objective.MeanResponseLogProb(model.TokenLogProbs(ids, mask), response);
            using var output = new Objective(kind).Compute(rTheta, rBar, tensor(new[] { false }));
            output.Loss.backward();
            tau = output.Tau.item<float>();
            return [.. model.parameters().SelectMany(p => p.grad!.data<float>().ToArray())];
        }

        var ce = Gradient(ObjectiveKind.Ce, out _);
        var poft = Gradient(ObjectiveKind.Poft, out var tau);
        Assert.InRange(tau, 0.05f, 0.95f);
        Assert.Contains(ce, g => Math.Abs(g) > 1e-4);
        for (var i = 0; i < ce.Length; i++)
            Assert.Equal(tau * ce[i], poft[i], 1e-6f);
    }
}
