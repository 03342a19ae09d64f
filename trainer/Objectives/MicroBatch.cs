using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;
using static TorchSharp.torch;

namespace PoFT.Trainer.Objectives;

/// <summary>One micro-batch as an objective sees it: its samples (for DPO each pair's chosen completion, then its
/// rejected one), their layout for the model, the policy being trained, and the reference's scores of the samples
/// where the run has any.</summary>
public sealed record MicroBatch(IReadOnlyList<SftSample> Samples, TrainingBatch Batch, LlamaForCausalLM Policy, IReadOnlyList<PreferenceScore>? Reference)
{
    /// <summary>Where the batch's tensors are, and so where the objective's go.</summary>
    public Device Device => Batch.InputIds.device;

    /// <summary>[samples, seq − 1] the policy's log-prob of each next token, each sample's in a row of its own
    /// (<see cref="TrainingBatch.PerSample"/>): at the response tokens only (0 elsewhere), or with
    /// <paramref name="allTokens"/> at every token of each sample, prompt included, for about the cost of one more
    /// LM-head pass over the prompt positions.</summary>
    public Tensor TokenLogProbs(bool allTokens = false) =>
        Batch.PerSample(Policy.TokenLogProbs(Batch.InputIds, Batch.AttentionMask, allTokens ? null : Batch.ResponseMask));

    /// <summary>[samples] each sample's loss weight (<see cref="SftSample.Weight"/>), in the objective's dtype.</summary>
    public Tensor Weights() => tensor(Samples.Select(s => (float)s.Weight).ToArray(), device: Device);
}
