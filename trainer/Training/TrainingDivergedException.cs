using PoFT.Shared;

namespace PoFT.Trainer.Training;

/// <summary>A step or an evaluation produced a non-finite number: the run stops at that step, keeping the
/// weights and checkpoints of the last good one.</summary>
public sealed class TrainingDivergedException(string message) : PoftUserException(message);
