using System.Diagnostics;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Objectives;

namespace PoFT.Bench;

/// <summary>Part 3, per model size: training tokens/s and model-FLOP utilisation (6·params·tokens against
/// the libtorch GEMM peak), a cross-entropy step vs a PoFT step, interleaved.</summary>
public static class TrainerPart
{
    /// <summary>Steps per run: the first allocates the optimizer state and is not recorded.</summary>
    private const int StepsPerRun = 2;

    public static async Task RunAsync(BenchReport report, BenchModels models)
    {
        foreach (var size in report.Settings.ModelSizes)
        {
            var data = SyntheticData.Create(report.Settings.LengthMix, Math.Max(report.Settings.Samples, StepsPerRun * TrainerRun.BatchSize),
                size.Config.VocabSize, seed: 21);
            using var model = ModelCheckpoint.CreateFresh(size.Config, seed: 1);
            var run = new TrainerRun(model, data, models.Directory);
            var scores = TrainerRun.KnownScores(data);
            var (ce, poft) = await report.Settings.Measurement.InterleaveAsync(
                () => LastStepTokensPerSecond(run, ObjectiveKind.Ce, null),
                () => LastStepTokensPerSecond(run, ObjectiveKind.Poft, scores));
            var label = $"{size.Name} training step, batch {TrainerRun.BatchSize}";
            var ceFigure = report.Add("trainer", $"trainer.{size.Name}.ce", $"{label}, CE", "tokens/s", ce);
            var poftFigure = report.Add("trainer", $"trainer.{size.Name}.poft", $"{label}, PoFT", "tokens/s", poft);
            report.Compare($"trainer.{size.Name}.poft_over_ce", $"{size.Name} PoFT step / CE step (tokens/s)", poftFigure, ceFigure);
            if (report.Find(PeakPart.Torch) is not { } peak)
                continue;
            var mfu = report.Add("trainer", $"trainer.{size.Name}.poft_gflops", $"{size.Name} PoFT training achieved (6·params·tokens)", "GFLOP/s",
                poft.Map(tokensPerSecond => 6.0 * size.Parameters * tokensPerSecond / 1e9));
            report.Compare($"trainer.{size.Name}.mfu", $"{size.Name} model-FLOP utilisation / libtorch GEMM peak", mfu, peak);
        }
    }

    private static async Task<double> LastStepTokensPerSecond(TrainerRun run, ObjectiveKind objective, PoFT.Trainer.Training.ReferenceScores? scores)
    {
        var steps = await run.RunAsync(objective, StepsPerRun, scores, Stopwatch.StartNew());
        var (previous, last) = (steps[^2], steps[^1]);
        return last.Metrics.Tokens / (last.EndSeconds - previous.EndSeconds);
    }
}
