using PoFT.Exporter;
using PoFT.Scorer.Pipeline;
using PoFT.Checkpoints;

namespace PoFT.Bench;

/// <summary>
/// Part "graph": the exported graph's variants side by side on the same weights. Fused vs primitive attention
/// at sequence lengths 256, 1024 and 2048; the LM head at the scored positions vs at every position on a
/// prompt-heavy multi-turn mix with the Llama-3 and Qwen vocabularies — useful tokens/s, each with the batch
/// budget its graph gets from the scorer, and peak memory in fresh processes.
/// </summary>
public static class GraphPart
{
    /// <summary>Multi-turn SFT data scores only the assistant's turns; earlier turns, the system prompt and
    /// the template are most of the tokens.</summary>
    public const double PromptHeavyResponseShare = 0.2;
    private static readonly int[] Vocabularies = [128_256, 151_936];

    public static void Run(BenchReport report, BenchModels models)
    {
        foreach (var size in report.Settings.ModelSizes)
            Attention(report, models, size);
        Head(report, models, report.Settings.ModelSizes.First());
    }

    private static void Attention(BenchReport report, BenchModels models, BenchSize size)
    {
        var fused = BenchModels.OpenOrt(models.Onnx(size.Name, size.Config, new ExportOptions { Attention = AttentionKernel.Fused }, "fused"), report.Settings.Threads);
        var primitive = BenchModels.OpenOrt(models.Onnx(size.Name, size.Config, new ExportOptions { Attention = AttentionKernel.Primitive }, "primitive"), report.Settings.Threads);
        using (fused)
        using (primitive)
        {
            int[] lengths = report.Settings.Quick ? [32, 64] : [256, 1024, 2048];
            var budget = BatchBudget.For(size.Config, headOnScoredPositions: true);
            foreach (var length in lengths)
            {
                // One budget's worth of equal-length samples: as many rows per batch as the scorer would pack.
                var samples = Math.Max(2, 2 * budget.PaddedTokens / length);
                var data = SyntheticData.Create(Enumerable.Repeat(length, samples).ToArray(), size.Config.VocabSize, seed: 51);
                var batches = ScoringBatch.Packed(data.Tokenized, budget);
                var (fusedSeconds, primitiveSeconds) = report.Settings.Measurement.Interleave(
                    () => ScoringBatch.Score(fused, batches), () => ScoringBatch.Score(primitive, batches));
                var id = $"graph.{size.Name}.s{length}";
                var fusedFigure = report.Add("graph", $"{id}.fused", $"{size.Name} seq {length}, fused attention", "tokens/s", fusedSeconds.Map(s => data.Tokens / s));
                var primitiveFigure = report.Add("graph", $"{id}.primitive", $"{size.Name} seq {length}, primitive attention", "tokens/s", primitiveSeconds.Map(s => data.Tokens / s));
                report.Compare($"{id}.fused_over_primitive", $"{size.Name} seq {length}: fused / primitive attention", fusedFigure, primitiveFigure);
            }
        }
    }

    private static void Head(BenchReport report, BenchModels models, BenchSize size)
    {
        var quick = report.Settings.Quick;
        foreach (var vocabulary in quick ? [2048] : Vocabularies)
        {
            var config = size.Config with { VocabSize = vocabulary };
            var name = $"{size.Name}-v{vocabulary}";
            var scoredPath = models.Onnx(name, config, new ExportOptions { Head = HeadPositions.Scored }, "scored");
            var allPath = models.Onnx(name, config, new ExportOptions { Head = HeadPositions.All }, "all");
            var scoredBudget = BatchBudget.For(config, headOnScoredPositions: true);
            var allBudget = BatchBudget.For(config, headOnScoredPositions: false);
            var data = SyntheticData.Create(report.Settings.LengthMix, report.Settings.Samples, vocabulary, seed: 53, PromptHeavyResponseShare);
            var id = $"graph.{name}.prompt_heavy";
            using (var scored = BenchModels.OpenOrt(scoredPath, report.Settings.Threads))
            using (var all = BenchModels.OpenOrt(allPath, report.Settings.Threads))
            {
                var scoredBatches = ScoringBatch.Packed(data.Tokenized, scoredBudget);
                var allBatches = ScoringBatch.Packed(data.Tokenized, allBudget);
                var (scoredSeconds, allSeconds) = report.Settings.Measurement.Interleave(
                    () => ScoringBatch.Score(scored, scoredBatches), () => ScoringBatch.Score(all, allBatches));
                var scoredFigure = report.Add("graph", $"{id}.scored", $"{name} prompt-heavy ({PromptHeavyResponseShare:P0} scored), head where scored, {scoredBudget} ({scoredBatches.Count} batches)",
                    "useful tokens/s", scoredSeconds.Map(s => data.Tokens / s));
                var allFigure = report.Add("graph", $"{id}.all", $"{name} prompt-heavy, head at every position, {allBudget} ({allBatches.Count} batches)",
                    "useful tokens/s", allSeconds.Map(s => data.Tokens / s));
                report.Compare($"{id}.scored_over_all", $"{name} prompt-heavy: head where scored / at every position", scoredFigure, allFigure,
                    target: vocabulary == 128_256 ? 1.5 : null);
            }
            Memory(report, id, name, scoredPath, allPath, scoredBudget, allBudget);
        }
    }

    private static void Memory(BenchReport report, string id, string name, string scoredPath, string allPath, BatchBudget scoredBudget, BatchBudget allBudget)
    {
        var (samples, length) = report.Settings.Quick ? (8, 64) : (16, 1024);
        try
        {
            var scored = MemoryPart.Probe(report, $"{id}.scored_peak", $"{name} scorer peak, {samples}×{length} prompt-heavy, head where scored", "scorer", scoredPath,
                samples, length, MemoryPart.ScorerProbeOption(scoredBudget, PromptHeavyResponseShare));
            var all = MemoryPart.Probe(report, $"{id}.all_peak", $"{name} scorer peak, {samples}×{length} prompt-heavy, head at every position", "scorer", allPath,
                samples, length, MemoryPart.ScorerProbeOption(allBudget, PromptHeavyResponseShare));
            report.Compare($"{id}.peak_scored_over_all", $"{name} scorer peak: head where scored / at every position", scored, all);
        }
        catch (ProbeFailedException e)
        {
            report.Note($"{name}: memory probe failed: {e.Message}");
        }
    }
}
