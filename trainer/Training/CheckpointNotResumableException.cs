using PoFT.Shared;

namespace PoFT.Trainer.Training;

/// <summary>A <c>--resume</c> of a checkpoint without the optimizer's state (a run's final/) that has steps left to
/// train: refused rather than continued with AdamW's moments restarted from zero, which would train differently
/// from the run it claims to continue.</summary>
public sealed class CheckpointNotResumableException(string message) : PoftUserException(message)
{
    /// <param name="checkpoint">The checkpoint asked for.</param>
    /// <param name="stepCheckpoint">The run's step checkpoint of the same step, which holds the optimizer's state
    /// where the run kept one (<c>checkpoint_every</c> > 0).</param>
    public static CheckpointNotResumableException For(string checkpoint, string stepCheckpoint, int step)
    {
        var what = $"--resume {checkpoint}: it holds no optimizer state ({TrainerState.OptimizerFile}; a run's final/ keeps only the model), " +
            "so training cannot go on from it exactly";
        if (File.Exists(Path.Combine(stepCheckpoint, TrainerState.OptimizerFile)) && Path.GetFullPath(stepCheckpoint) != Path.GetFullPath(checkpoint))
            return new($"{what}; resume from {stepCheckpoint}, the run's checkpoint of the same step {step}, which has it");
        return new($"{what}, and the run kept no step checkpoint of step {step} ({stepCheckpoint}; checkpoint_every 0 writes none at the end). " +
            $"Start a new run from it with --model {checkpoint} (its optimizer and learning-rate schedule start afresh), or resume an earlier step checkpoint");
    }
}
