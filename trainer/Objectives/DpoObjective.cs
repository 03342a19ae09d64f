using PoFT.Shared.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PoFT.Trainer.Objectives;

/// <summary>Per-pair log-probabilities of the chosen and rejected completions, [pairs] each: their token
/// log-prob sums, or (IPO) their per-token means.</summary>
public sealed record PairLogProbs(Tensor Chosen, Tensor Rejected);

/// <summary>One micro-batch's DPO loss (mean over its pairs, with gradient) and the pairs' implicit rewards
/// β(log π − log π_ref) of each completion (detached), as TRL's DPOTrainer reports them.</summary>
public sealed record DpoOutput(Tensor Loss, Tensor ChosenRewards, Tensor RejectedRewards) : IDisposable
{
    public void Dispose()
    {
        Loss.Dispose();
        ChosenRewards.Dispose();
        RejectedRewards.Dispose();
    }
}

/// <summary>
/// Direct preference optimisation against a frozen reference model (docs/method.md, "DPO"). With the margin
/// h = (log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l)) of the policy over the reference, each
/// <see cref="DpoLossType"/> is a function of βh (or of h, for IPO). log σ(x) is −softplus(−x) throughout, so no
/// margin underflows or overflows. The reference's numbers come from ONNX Runtime or a score file: they carry
/// no gradient and are cast to the policy's dtype.
/// </summary>
public sealed record DpoObjective(DpoLossType LossType, double Beta, double LabelSmoothing)
{
    /// <summary>IPO compares per-token means, as TRL's IPO does; the other losses compare sums.</summary>
    public bool LengthNormalised => LossType == DpoLossType.Ipo;

    public DpoOutput Compute(PairLogProbs policy, PairLogProbs reference)
    {
        using var scope = NewDisposeScope();
        var chosen = policy.Chosen - reference.Chosen.to(policy.Chosen.dtype);
        var rejected = policy.Rejected - reference.Rejected.to(policy.Rejected.dtype);
        var h = chosen - rejected;
        var (beta, epsilon) = (Beta, LabelSmoothing);
        var perPair = LossType switch
        {
            // −(1 − ε) log σ(βh) − ε log σ(−βh): conservative DPO; ε = 0 is DPO itself.
            DpoLossType.Sigmoid => (1 - epsilon) * F.softplus(-beta * h) + epsilon * F.softplus(beta * h),
            // The unbiased estimate of DPO's loss when labels are flipped at rate ε.
            DpoLossType.Robust => ((1 - epsilon) * F.softplus(-beta * h) - epsilon * F.softplus(beta * h)) / (1 - 2 * epsilon),
            // Regresses h to 1/(2β): a bounded margin, where DPO's grows without limit on deterministic preferences.
            DpoLossType.Ipo => (h - 1 / (2 * beta)).square(),
            _ => throw new ArgumentOutOfRangeException(nameof(LossType)),
        };
        return new DpoOutput(perPair.mean().MoveToOuterDisposeScope(), (beta * chosen).detach().MoveToOuterDisposeScope(),
            (beta * rejected).detach().MoveToOuterDisposeScope());
    }
}
