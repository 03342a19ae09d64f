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
    /// (<see cref="TrainingBatch.PerSample"/>).</summary>
    public Tensor TokenLogProbs() => Batch.PerSample(Policy.TokenLogProbs(Batch.InputIds, Batch.AttentionMask, Batch.ResponseMask));
}
