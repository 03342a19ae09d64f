using System.Diagnostics;
using PoFT.Shared.Training;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Bench;

/// <summary>Part 3, per model size, on the log-normal length mix: training tokens/s and model-FLOP
/// utilisation (6·params·tokens against the libtorch GEMM peak); and, interleaved side by side, a CE step vs a
/// PoFT step, the chunked LM head vs the unchunked one, and padding-free rows vs one padded row per sample
/// (with the share of each layout's cells that are padding).</summary>
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
            var label = $"{size.Name} training step, batch {TrainerRun.BatchSize}";

            var (ce, poft) = await report.Settings.Measurement.InterleaveAsync(
                () => LastStepTokensPerSecond(run, ObjectiveKind.Ce, null),
                () => LastStepTokensPerSecond(run, ObjectiveKind.Poft, scores));
            var ceFigure = report.Add("trainer", $"trainer.{size.Name}.ce", $"{label}, CE", "tokens/s", ce);
            var poftFigure = report.Add("trainer", $"trainer.{size.Name}.poft", $"{label}, PoFT", "tokens/s", poft);
            report.Compare($"trainer.{size.Name}.poft_over_ce", $"{size.Name} PoFT step / CE step (tokens/s)", poftFigure, ceFigure);

            var unchunkedRun = new TrainerRun(model, data, models.Directory, setup: TrainerSetup.Unchunked);
            var (chunked, unchunked) = await report.Settings.Measurement.InterleaveAsync(
                () => LastStepTokensPerSecond(run, ObjectiveKind.Poft, scores),
                () => LastStepTokensPerSecond(unchunkedRun, ObjectiveKind.Poft, scores));
            report.Compare($"trainer.{size.Name}.chunked_over_unchunked", $"{size.Name} LM head in chunks of {TrainerSetup.Full.LogitsChunk} / all at once (tokens/s)",
                report.Add("trainer", $"trainer.{size.Name}.chunked", $"{label}, PoFT, LM head chunked", "tokens/s", chunked),
                report.Add("trainer", $"trainer.{size.Name}.unchunked", $"{label}, PoFT, LM head unchunked", "tokens/s", unchunked), target: 0.9);

            var paddedRun = new TrainerRun(model, data, models.Directory, paddingFree: false);
            var (packed, padded) = await report.Settings.Measurement.InterleaveAsync(
                () => LastStepTokensPerSecond(run, ObjectiveKind.Poft, scores),
                () => LastStepTokensPerSecond(paddedRun, ObjectiveKind.Poft, scores));
            report.Compare($"trainer.{size.Name}.padding_free_over_padded", $"{size.Name} padding-free / padded rows (tokens/s)",
                report.Add("trainer", $"trainer.{size.Name}.padding_free", $"{label}, PoFT, padding-free rows ({PaddingShare(data, packed: true):P0} padding)", "tokens/s", packed),
                report.Add("trainer", $"trainer.{size.Name}.padded", $"{label}, PoFT, a padded row per sample ({PaddingShare(data, packed: false):P0} padding)", "tokens/s", padded));

            if (report.Find(PeakPart.Torch) is not { } peak)
                continue;
            var mfu = report.Add("trainer", $"trainer.{size.Name}.poft_gflops", $"{size.Name} PoFT training achieved (6·params·tokens)", "GFLOP/s",
                poft.Map(tokensPerSecond => 6.0 * size.Parameters * tokensPerSecond / 1e9));
            report.Compare($"trainer.{size.Name}.mfu", $"{size.Name} model-FLOP utilisation / libtorch GEMM peak", mfu, peak, target: 0.5);
            // What bounds the utilisation: the step's largest GEMMs (the MLP's, over a step's tokens at the mix's
            // median length) run at this rate at best; every FLOP outside them (attention, norms, the softmax) is slower.
            var (tokens, h, i) = (TrainerRun.BatchSize * report.Settings.LengthMix.MedianLength, size.Config.HiddenSize, size.Config.IntermediateSize);
            using var mlpGemm = new GemmProbe(tokens, h, i, report.Settings.Threads);
            var gemmRepeats = report.Settings.Measurement with { Repeats = Math.Max(5, report.Settings.Measurement.Repeats) };
            var mlpRate = report.Add("trainer", $"trainer.{size.Name}.mlp_gemm", $"{size.Name} libtorch GEMM at the MLP's shape ({tokens}×{h}×{i})", "GFLOP/s",
                gemmRepeats.Repeat(mlpGemm.TorchSeconds).Map(mlpGemm.GigaflopsPerSecond));
            report.Compare($"trainer.{size.Name}.mlp_gemm_over_peak", $"{size.Name} GEMM rate at the MLP's shape / libtorch GEMM peak", mlpRate, peak);
            report.Compare($"trainer.{size.Name}.mfu_of_mlp_gemm", $"{size.Name} achieved / GEMM rate at the MLP's shape", mfu, mlpRate);
        }
    }

    /// <summary>The share of the [rows, longest] cells that are padding in the micro-batch whose step is
    /// measured (the trainer's first-epoch order, seed 0).</summary>
    private static double PaddingShare(SyntheticData data, bool packed)
    {
        var batch = new EpochSampler(data.Samples.Count, seed: 0).Order(0).Chunk(TrainerRun.BatchSize).ElementAt(StepsPerRun - 1);
        var lengths = batch.Select(i => data.Tokenize(data.Samples[i]).TokenIds.Length).ToArray();
        var rows = packed ? RowPacker.FirstFitDecreasing(lengths, lengths.Max()).Count : lengths.Length;
        return 1 - (double)lengths.Sum() / ((long)rows * lengths.Max());
    }

    private static async Task<double> LastStepTokensPerSecond(TrainerRun run, ObjectiveKind objective, ReferenceScores? scores)
    {
        var steps = await run.RunAsync(objective, StepsPerRun, scores, Stopwatch.StartNew());
        var (previous, last) = (steps[^2], steps[^1]);
        return last.Metrics.Tokens / (last.EndSeconds - previous.EndSeconds);
    }
}
