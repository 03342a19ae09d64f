using Microsoft.ML.OnnxRuntime;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Manifest;

namespace PoFT.Bench;

/// <summary>
/// The ONNX Runtime session settings the scorer uses, each measured against its alternative on the same
/// packed batches (interleaved): graph optimisation level (all fusions vs basic) and the CPU memory arena.
/// Run at the smallest configured size: what is measured is the setting, not the model.
/// </summary>
public static class SessionOptionsPart
{
    public static void Run(BenchReport report, BenchModels models)
    {
        var size = report.Settings.ModelSizes.First();
        var onnx = models.Onnx(size.Name, size.Config);
        var data = SyntheticData.Create(report.Settings.LengthMix, report.Settings.Samples, size.Config.VocabSize, seed: 13);
        var packed = ScoringBatch.Packed(data.Tokenized, BatchBudget.For(size.Config, headOnScoredPositions: true));
        var chosen = new OrtScoringOptions { IntraOpThreads = report.Settings.Threads };
        Compare(report, size, onnx, packed, data.Tokens, "optimization", "graph optimisation: all fusions", chosen,
            "basic only", chosen with { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC });
        Compare(report, size, onnx, packed, data.Tokens, "arena", "CPU memory arena on", chosen,
            "arena off", chosen with { EnableMemoryArena = false });
    }

    private static void Compare(BenchReport report, BenchSize size, string onnx, List<ScoringBatch> packed, long tokens, string id,
        string chosenLabel, OrtScoringOptions chosen, string otherLabel, OrtScoringOptions other)
    {
        using var a = OrtTokenLogProbModel.Open("chosen", onnx, new ExecutionProviderSpec(), chosen, Console.Error.WriteLine);
        using var b = OrtTokenLogProbModel.Open("other", onnx, new ExecutionProviderSpec(), other, Console.Error.WriteLine);
        var (chosenSeconds, otherSeconds) = report.Settings.Measurement.Interleave(() => ScoringBatch.Score(a, packed), () => ScoringBatch.Score(b, packed));
        var chosenFigure = report.Add("scorer", $"scorer.{size.Name}.{id}.chosen", $"{size.Name} ORT {chosenLabel}", "tokens/s", chosenSeconds.Map(s => tokens / s));
        var otherFigure = report.Add("scorer", $"scorer.{size.Name}.{id}.other", $"{size.Name} ORT {otherLabel}", "tokens/s", otherSeconds.Map(s => tokens / s));
        report.Compare($"scorer.{size.Name}.{id}", $"{size.Name} ORT {chosenLabel} / {otherLabel}", chosenFigure, otherFigure);
    }
}
