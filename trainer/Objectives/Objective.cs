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
/// A training objective over length-normalised log-likelihoods. For PoFT the gradient is
/// β·τ·∇(−r_θ) with τ = σ(β(r̄ − r_θ) − γ): cross-entropy weighted per sample by how far the aligned models
/// still are ahead of the target. Log-sigmoid is computed as −softplus(−x), which neither underflows nor
/// overflows for any |Δ|.
/// </summary>
public sealed record Objective(ObjectiveKind Kind, double Beta = 1.0, double Gamma = 0.0)
{
    /// <param name="rTheta">[batch] target model's mean response-token log-prob (with gradient).</param>
    /// <param name="rBar">[batch] aligned reference r̄ (no gradient).</param>
    /// <param name="isNoise">[batch] bool, read only by bi-PoFT.</param>
    public ObjectiveOutput Compute(Tensor rTheta, Tensor rBar, Tensor isNoise)
    {
        using var scope = NewDisposeScope();
        var margin = Margin(rTheta, rBar);
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

    /// <summary>τ = σ(β(r̄ − r_θ) − γ): the weight PoFT's gradient puts on each sample's cross-entropy.</summary>
    public Tensor Tau(Tensor rTheta, Tensor rBar)
    {
        using var margin = Margin(rTheta, rBar);
        return torch.sigmoid(-margin).detach();
    }

    /// <summary>β(r_θ − r̄) + γ: the Bradley–Terry margin of the target over the aligned models.</summary>
    private Tensor Margin(Tensor rTheta, Tensor rBar) => Beta * (rTheta - rBar.to(rTheta.dtype)) + Gamma;

    /// <summary>r_θ: the mean log-prob of each sample's response tokens.</summary>
    /// <param name="tokenLogProbs">[batch, seq − 1] from <c>TokenLogProbs</c>.</param>
    /// <param name="responseMask">[batch, seq − 1], 1 where the predicted token is a response token.</param>
    public static Tensor MeanResponseLogProb(Tensor tokenLogProbs, Tensor responseMask)
    {
        var mask = responseMask.to(tokenLogProbs.dtype);
        return (tokenLogProbs * mask).sum(1) / mask.sum(1);
    }
}
