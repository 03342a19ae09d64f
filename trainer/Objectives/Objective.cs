using PoFT.Shared.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PoFT.Trainer.Objectives;

/// <summary>Per-sample losses of one batch and the PoFT weight τ of each sample (detached).</summary>
public sealed record ObjectiveOutput(Tensor Loss, Tensor PerSampleLoss, Tensor Tau) : IDisposable
{
    public void Dispose()
    {
        Loss.Dispose();
        PerSampleLoss.Dispose();
        Tau.Dispose();
    }
}

/// <summary>
/// The single-sample training objectives, over length-normalised log-likelihoods. For PoFT the gradient is
/// β·τ·∇(−r_θ) with τ = σ(β(r̄ − r_θ) − γ): cross-entropy weighted per sample by how far the aligned models
/// still are ahead of the target. Log-sigmoid is computed as −softplus(−x), which neither underflows nor
/// overflows for any |Δ|.
/// </summary>
public sealed record Objective(ObjectiveKind Kind, double Beta = 1.0, double Gamma = 0.0) : ITrainingObjective
{
    /// <param name="rTheta">[batch] target model's mean response-token log-prob (with gradient).</param>
    /// <param name="rBar">[batch] aligned reference r̄ (no gradient).</param>
    /// <param name="isNoise">[batch] bool, read only by bi-PoFT.</param>
    public ObjectiveOutput Compute(Tensor rTheta, Tensor rBar, Tensor isNoise)
    {
        using var scope = NewDisposeScope();
        var margin = Margin(rTheta, rBar, Beta, Gamma);
        var tau = Tau(rTheta, rBar);
        var perSample = Kind switch
        {
            ObjectiveKind.Ce => -rTheta,
            ObjectiveKind.Poft => F.softplus(-margin),
            ObjectiveKind.BiPoft => where(isNoise, F.softplus(-(Beta * (rBar.to(rTheta.dtype) - rTheta) + Gamma)), F.softplus(-margin)),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
        };
        return new ObjectiveOutput(perSample.mean().MoveToOuterDisposeScope(), perSample.MoveToOuterDisposeScope(), tau.MoveToOuterDisposeScope());
    }

    /// <summary>Each sample's r_θ against its r̄ (0 in a run without reference scores, which only CE can be); each
    /// scored sample's τ added to <paramref name="tally"/>.</summary>
    /// <returns>The micro-batch's loss and its mean CE, −r_θ.</returns>
    public (Tensor Loss, double Ce) Loss(MicroBatch microBatch, StepTally tally)
    {
        var (samples, scores) = (microBatch.Samples, microBatch.Reference);
        var rTheta = MeanResponseLogProb(microBatch.TokenLogProbs(), microBatch.Batch.SampleResponseMask);
        var rBar = scores is null ? zeros_like(rTheta) : tensor(scores.Select(s => (float)s.Reference).ToArray(), device: microBatch.Device);
        // Only bi-PoFT may see which samples are noise.
        var noise = tensor(samples.Select(s => Kind == ObjectiveKind.BiPoft && s.IsNoise).ToArray(), device: microBatch.Device);
        var output = Compute(rTheta, rBar, noise);
        if (scores is not null)
            tally.Taus.AddRange(output.Tau.cpu().data<float>().ToArray().Zip(samples, (t, s) => (t, s.IsNoise)));
        return (output.Loss, (-rTheta).mean().item<float>());
    }

    /// <summary>τ = σ(β(r̄ − r_θ) − γ): the weight PoFT's gradient puts on each sample's cross-entropy.</summary>
    public Tensor Tau(Tensor rTheta, Tensor rBar) => Tau(rTheta, rBar, Beta, Gamma);

    /// <summary>τ = σ(β(r̄ − r_θ) − γ) for any β and γ: what evaluation reports of held-out samples with scores,
    /// whatever the run's objective.</summary>
    public static Tensor Tau(Tensor rTheta, Tensor rBar, double beta, double gamma)
    {
        using var margin = Margin(rTheta, rBar, beta, gamma);
        return torch.sigmoid(-margin).detach();
    }

    /// <summary>β(r_θ − r̄) + γ: the Bradley–Terry margin of the target over the aligned models.</summary>
    private static Tensor Margin(Tensor rTheta, Tensor rBar, double beta, double gamma) => beta * (rTheta - rBar.to(rTheta.dtype)) + gamma;

    /// <summary>r_θ: the mean log-prob of each sample's response tokens.</summary>
    /// <param name="tokenLogProbs">[batch, seq − 1] from <c>TokenLogProbs</c>.</param>
    /// <param name="responseMask">[batch, seq − 1], 1 where the predicted token is a response token.</param>
    public static Tensor MeanResponseLogProb(Tensor tokenLogProbs, Tensor responseMask)
    {
        var mask = responseMask.to(tokenLogProbs.dtype);
        return (tokenLogProbs * mask).sum(1) / mask.sum(1);
    }
}
