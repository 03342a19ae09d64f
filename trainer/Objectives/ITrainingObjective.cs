using static TorchSharp.torch;

namespace PoFT.Trainer.Objectives;

/// <summary>
/// A run's training objective, chosen once when the run starts (<see cref="Training.TrainingOptions.ToObjective"/>):
/// one of the single-sample objectives — CE, PoFT, bi-PoFT (<see cref="Objective"/>), each sample against its
/// aligned r̄ — or the pair objective, DPO (<see cref="DpoObjective"/>), each pair's two completions against the
/// reference's log-probs. The trainer's step is the same for every objective: it hands each micro-batch here and
/// back-propagates the loss it gets.
/// </summary>
public interface ITrainingObjective
{
    /// <returns>The micro-batch's loss (with gradient: its mean over the samples or pairs) and the mean CE of what it
    /// trains on, for the step's metrics; what else the step reports of it (τ per sample, outcome per pair) is added
    /// to <paramref name="tally"/>.</returns>
    (Tensor Loss, double Ce) Loss(MicroBatch microBatch, StepTally tally);
}
