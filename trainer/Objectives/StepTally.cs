using PoFT.Trainer.Training;

namespace PoFT.Trainer.Objectives;

/// <summary>What a step's micro-batches report beyond their loss, for the step's metrics: the single-sample
/// objectives each scored sample's τ (and whether it is marked as noise), DPO each pair's outcome.</summary>
public sealed class StepTally
{
    public List<(float Tau, bool Noise)> Taus { get; } = [];

    public List<PairOutcome> Pairs { get; } = [];
}
