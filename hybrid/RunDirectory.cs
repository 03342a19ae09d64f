using PoFT.Checkpoints;
using PoFT.Trainer.Training;
using PoFT.Trainer.Training.TensorBoard;

namespace PoFT.Hybrid;

/// <summary>What a run's output directory holds, read from its layout (docs/training.md): metrics.jsonl,
/// checkpoints/step-N/ and final/, each checkpoint complete once its trainer_state.json is there.</summary>
public static class RunDirectory
{
    public enum Holding
    {
        /// <summary>Only what a run writes before its first checkpoint: nothing a retry could resume.</summary>
        NothingToResume,

        /// <summary>A periodic or interrupted checkpoint, and no final one.</summary>
        Resumable,

        /// <summary>A final checkpoint: the run ended.</summary>
        Finished,

        /// <summary>Anything else: files a run does not write, which a retry must not delete unasked.</summary>
        Other,
    }

    /// <returns>What <paramref name="output"/> holds, and the checkpoint to resume (the final one, or the newest
    /// periodic one) where it holds one.</returns>
    public static (Holding Kind, string? Checkpoint) Inspect(string output)
    {
        var final = Path.Combine(output, PoftTrainer.FinalFolder);
        if (IsCheckpoint(final))
            return (Holding.Finished, final);
        var folder = Path.Combine(output, PoftTrainer.CheckpointsFolder);
        // A save interrupted after writing its trainer state (step-N.{guid}.partial) is a leftover the trainer deletes as
        // it starts, not a checkpoint to resume (DoubleSignalTests, second signal while saving).
        var periodic = Directory.Exists(folder)
            ? Directory.GetDirectories(folder).Where(d => !Checkpoint.IsLeftover(d) && IsCheckpoint(d)).Order(StringComparer.Ordinal).ToList()
            : [];
        if (periodic.Count > 0)
            return (Holding.Resumable, periodic[^1]);
        // A run's own files before its first checkpoint: its metrics, its held-out answers, its TensorBoard event
        // files, and a checkpoints folder holding at most a save interrupted before it completed (no trainer state).
        // (The logs folder was missing here: a run aborted by a second Ctrl+C was refused as "not a run's"; DoubleSignalTests.)
        var entries = Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).ToList();
        var runsOwn = entries.All(e => e is MetricsLog.FileName or SamplesLog.FileName or PoftTrainer.CheckpointsFolder or PoftTrainer.FinalFolder
            || e == TensorBoardLog.FolderName && HoldsOnlyEventFiles(Path.Combine(output, e!)));
        return (runsOwn ? Holding.NothingToResume : Holding.Other, null);
    }

    private static bool HoldsOnlyEventFiles(string folder) => Directory.Exists(folder)
        && Directory.EnumerateFileSystemEntries(folder).All(f => File.Exists(f) && Path.GetFileName(f).StartsWith("events.out.tfevents.", StringComparison.Ordinal));

    /// <returns>The step checkpoint that trains the finished run in <paramref name="output"/> further: the one of its
    /// final step, holding the optimizer's state that final/ does not keep; null where the run kept none.</returns>
    public static string? ToTrainFurther(string output)
    {
        var step = PoftTrainer.StepCheckpoint(output, TrainerState.Load(Path.Combine(output, PoftTrainer.FinalFolder)).Step);
        return File.Exists(Path.Combine(step, TrainerState.OptimizerFile)) ? step : null;
    }

    private static bool IsCheckpoint(string directory) => File.Exists(Path.Combine(directory, TrainerState.FileName));
}
