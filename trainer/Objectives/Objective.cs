using PoFT.Shared.Data;
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
/// overflows for any |Δ|. DFT (<see cref="Dft"/>) is per token instead: each response token's cross-entropy
/// scaled by its detached probability. Every objective scales each sample's loss by its weight w_i
/// (<see cref="SftSample.Weight"/>), so that PoFT's gradient on a sample is w_i·β·τ_i·∇(−r_θ): the data's weight and
/// τ multiply.
/// </summary>
/// <param name="Scope">Which tokens the r_θ compared with r̄ averages (PoFT and bi-PoFT): the response's, or every
/// token's as the authors' released trainer does.</param>
public sealed record Objective(ObjectiveKind Kind, double Beta = 1.0, double Gamma = 0.0, RThetaScope Scope = RThetaScope.Response) : ITrainingObjective
{
    /// <param name="rTheta">[batch] target model's mean log-prob over the scope's tokens (with gradient).</param>
    /// <param name="rBar">[batch] aligned reference r̄ (no gradient).</param>
    /// <param name="isNoise">[batch] bool, read only by bi-PoFT.</param>
    /// <param name="weights">[batch] each sample's loss weight w_i (null: all 1).</param>
    /// <returns>The loss (1/B)·Σ_i w_i·ℓ_i, each sample's w_i·ℓ_i, and τ_i.</returns>
    public ObjectiveOutput Compute(Tensor rTheta, Tensor rBar, Tensor isNoise, Tensor? weights = null)
    {
        using var scope = NewDisposeScope();
        var margin = Margin(rTheta, rBar, Beta, Gamma);
        var tau = Tau(rTheta, rBar);
        var perSample = Kind switch
        {
            ObjectiveKind.Ce => -rTheta,
            ObjectiveKind.Poft => F.softplus(-margin),
            ObjectiveKind.BiPoft => where(isNoise, F.softplus(-(Beta * (rBar.to(rTheta.dtype) - rTheta) + Gamma)), F.softplus(-margin)),
            ObjectiveKind.Dft => throw new InvalidOperationException("objective 'dft' is per token: its loss is Objective.Dft's"),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
        };
        if (weights is not null)
            perSample = perSample * weights.to(perSample.dtype);
        return new ObjectiveOutput(perSample.mean().MoveToOuterDisposeScope(), perSample.MoveToOuterDisposeScope(), tau.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// DFT, as TRL's <c>dft_loss</c> (trl/trainer/sft_trainer.py) computes it from the paper's Eq. 9
    /// (Wu et al. 2025, arXiv:2508.05629): ℓ_t = −sg(p_t)·log p_t at each response token t, p_t = exp(log p_t) and sg
    /// the stop-gradient, so ∇ℓ_t = −p_t·∇log p_t = −∇p_t: a token's cross-entropy gradient scaled by its
    /// probability. TRL divides the sum by the count of response tokens (num_items_in_batch, or the batch's own
    /// count without it); here the sum over the micro-batch's response tokens, each sample's scaled by w_i, is divided
    /// by that micro-batch's count, Σ_i w_i·Σ_t ℓ_it / Σ_i n_i — TRL's own value at gradient_accumulation 1 (a step
    /// averages its micro-batches' losses, as for every objective).
    /// </summary>
    /// <param name="tokenLogProbs">[batch, seq − 1] fp32 log p of each next token.</param>
    /// <param name="responseMask">[batch, seq − 1], 1 at response tokens.</param>
    /// <param name="weights">[batch] each sample's w_i (null: all 1).</param>
    /// <returns>The loss and each sample's w_i·Σ_t ℓ_it.</returns>
    public static (Tensor Loss, Tensor PerSampleLoss) Dft(Tensor tokenLogProbs, Tensor responseMask, Tensor? weights = null)
    {
        using var scope = NewDisposeScope();
        var mask = responseMask.to(tokenLogProbs.dtype);
        var perSample = (-tokenLogProbs.exp().detach() * tokenLogProbs * mask).sum(1);
        if (weights is not null)
            perSample = perSample * weights.to(perSample.dtype);
        var loss = perSample.sum() / mask.sum();
        return (loss.MoveToOuterDisposeScope(), perSample.MoveToOuterDisposeScope());
    }

    /// <summary>Each sample's r_θ against its r̄ (0 in a run without reference scores, which only CE and DFT can be),
    /// its loss scaled by its weight; each scored sample's τ added to <paramref name="tally"/>.</summary>
    /// <returns>The micro-batch's loss and its mean CE, −r_θ over the response tokens whatever the scope.</returns>
    public (Tensor Loss, double Ce) Loss(MicroBatch microBatch, StepTally tally)
    {
        var (samples, scores) = (microBatch.Samples, microBatch.Reference);
        var tokenLogProbs = microBatch.TokenLogProbs(allTokens: Scope == RThetaScope.All);
        var responseMask = microBatch.Batch.SampleResponseMask;
        var rTheta = MeanResponseLogProb(tokenLogProbs, responseMask);
        var ce = (-rTheta).mean().item<float>();
        var weights = microBatch.Weights();
        if (Kind == ObjectiveKind.Dft)
            return (Dft(tokenLogProbs, responseMask, weights).Loss, ce);
        var compared = Scope == RThetaScope.All ? MeanResponseLogProb(tokenLogProbs, microBatch.Batch.SampleTokenMask) : rTheta;
        var rBar = scores is null ? zeros_like(compared) : tensor(scores.Select(s => (float)s.Reference).ToArray(), device: microBatch.Device);
        // Only bi-PoFT may see which samples are noise.
        var noise = tensor(samples.Select(s => Kind == ObjectiveKind.BiPoft && s.IsNoise).ToArray(), device: microBatch.Device);
        var output = Compute(compared, rBar, noise, weights);
        if (scores is not null)
            tally.Taus.AddRange(output.Tau.cpu().data<float>().ToArray().Zip(samples, (t, s) => (t, s.IsNoise)));
        return (output.Loss, ce);
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

    /// <summary>r_θ: the mean log-prob of each sample's response tokens (or of the tokens another mask marks).</summary>
    /// <param name="tokenLogProbs">[batch, seq − 1] from <c>TokenLogProbs</c>.</param>
    /// <param name="responseMask">[batch, seq − 1], 1 where the predicted token is a response token.</param>
    public static Tensor MeanResponseLogProb(Tensor tokenLogProbs, Tensor responseMask)
    {
        var mask = responseMask.to(tokenLogProbs.dtype);
        return (tokenLogProbs * mask).sum(1) / mask.sum(1);
    }
}
