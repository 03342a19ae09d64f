using PoFT.Shared.Training;
using PoFT.Trainer.Training;
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
public sealed record DpoObjective(DpoLossType LossType, double Beta, double LabelSmoothing) : ITrainingObjective
{
    /// <summary>IPO compares per-token means, as TRL's IPO does; the other losses compare sums.</summary>
    public bool LengthNormalised => LossType == DpoLossType.Ipo;

    /// <param name="weights">[pairs] each pair's loss weight (its record's <c>weight</c>; null: all 1): the loss is
    /// (1/P)·Σ_p w_p·ℓ_p.</param>
    public DpoOutput Compute(PairLogProbs policy, PairLogProbs reference, Tensor? weights = null)
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
        if (weights is not null)
            perPair = perPair * weights.to(perPair.dtype);
        return new DpoOutput(perPair.mean().MoveToOuterDisposeScope(), (beta * chosen).detach().MoveToOuterDisposeScope(),
            (beta * rejected).detach().MoveToOuterDisposeScope());
    }

    /// <summary>DPO on a micro-batch of pairs, laid out chosen, rejected, chosen, …: the policy's log-probs
    /// against the reference's. The reference must have seen exactly the policy's completion tokens, which is
    /// what sharing the tokenizer, template and max_length gives; a count that differs is refused here.</summary>
    /// <returns>The micro-batch's loss and the mean CE of its chosen completions; each pair's outcome added to
    /// <paramref name="tally"/>.</returns>
    public (Tensor Loss, double Ce) Loss(MicroBatch microBatch, StepTally tally)
    {
        var (samples, batch) = (microBatch.Samples, microBatch.Batch);
        var reference = microBatch.Reference ?? throw new InvalidOperationException("objective 'dpo' needs the reference's log-probs of every completion");
        // Checked on the host, from the tokenization the batch was built from: before any compute, and with no
        // device round trip.
        var referenceValues = new double[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            var (score, tokens) = (reference[i].PerModel[0], batch.Samples[i].ResponseTokenCount);
            if (score.TokenCount != tokens)
                throw new InvalidDataException($"sample '{samples[i].Id}': the reference scored {score.TokenCount} completion tokens, the policy has {tokens}: " +
                    "the reference's log-probs were computed with another tokenizer, template or max_length than the policy's");
            referenceValues[i] = LengthNormalised ? score.Mean : score.LogProbSum;
        }
        var logProbs = microBatch.TokenLogProbs();
        var mask = batch.SampleResponseMask.to(logProbs.dtype);
        var sums = (logProbs * mask).sum(1);
        var means = sums / mask.sum(1);
        var policy = (LengthNormalised ? means : sums).view(-1, 2);
        var referencePairs = tensor(referenceValues, device: microBatch.Device).view(-1, 2);
        var weights = tensor(samples.Where((_, i) => i % 2 == 0).Select(s => (float)s.Weight).ToArray(), device: microBatch.Device);
        var output = Compute(new PairLogProbs(policy[.., 0], policy[.., 1]), new PairLogProbs(referencePairs[.., 0], referencePairs[.., 1]), weights);
        var detached = cat([output.ChosenRewards.unsqueeze(1), output.RejectedRewards.unsqueeze(1), policy.detach(), means.detach().view(-1, 2)], 1)
            .to(ScalarType.Float64).cpu().data<double>().ToArray();
        var pairs = Enumerable.Range(0, detached.Length / 6)
            .Select(p => new PairOutcome(detached[6 * p], detached[6 * p + 1], detached[6 * p + 2], detached[6 * p + 3], detached[6 * p + 4], detached[6 * p + 5])).ToList();
        tally.Pairs.AddRange(pairs);
        return (output.Loss, -pairs.Average(p => p.ChosenMeanLogp));
    }
}
