using PoFT.Scorer.Pipeline;
using PoFT.Text.Chat;
using PoFT.Shared.Scoring;
using PoFT.Trainer.Model;

namespace PoFT.Bench;

/// <summary>
/// Part 2, per model size: ONNX Runtime vs TorchSharp eager on the same weights and batches; token-budget
/// packing vs pad-to-max; achieved GFLOP/s against the MLAS peak, with the GEMM ceiling at the model's own
/// shapes as the breakdown; one aligned model vs several scoring concurrently.
/// </summary>
public static class ScorerPart
{
    /// <summary>The reference implementation's fixed batch size.</summary>
    public const int ReferenceBatchSize = 8;
    /// <summary>The target's model size for the utilisation goal.</summary>
    private const string UtilisationTargetSize = "100m";
    private const int ConcurrentModels = 3;

    public static async Task RunAsync(BenchReport report, BenchModels models)
    {
        foreach (var size in report.Settings.ModelSizes)
        {
            var onnx = models.Onnx(size.Name, size.Config);
            report.Add("scorer", $"scorer.{size.Name}.export", $"{size.Name} export, checkpoint → model.onnx (one run)", "s",
                Stats.Single(models.ExportTimes[size.Name].TotalSeconds));
            var data = SyntheticData.Create(report.Settings.LengthMix, report.Settings.Samples, size.Config.VocabSize, seed: 11);
            var tokenized = data.Tokenized;
            var budget = BatchBudget.For(size.Config, headOnScoredPositions: true);
            var packed = ScoringBatch.Packed(tokenized, budget);
            using (var ort = BenchModels.OpenOrt(onnx, report.Settings.Threads))
            {
                var ortFigure = CompareBackends(report, size, ort, models, packed, data.Tokens);
                ComparePacking(report, size, ort, packed, tokenized, data.Tokens);
                Utilisation(report, size, ortFigure, packed);
            }
            await CompareConcurrency(report, size, onnx, data, budget);
        }
        SessionOptionsPart.Run(report, models);
    }

    private static Figure CompareBackends(BenchReport report, BenchSize size, ITokenLogProbModel ort, BenchModels models,
        List<ScoringBatch> packed, long tokens)
    {
        using var torch = TorchTokenLogProbModel.Load(models.Checkpoint(size.Name, size.Config), Placement.Cpu);
        var (ortSeconds, torchSeconds) = report.Settings.Measurement.Interleave(
            () => ScoringBatch.Score(ort, packed), () => ScoringBatch.Score(torch, packed));
        var ortFigure = report.Add("scorer", $"scorer.{size.Name}.ort", $"{size.Name} ONNX Runtime, packed", "tokens/s", ortSeconds.Map(s => tokens / s));
        var torchFigure = report.Add("scorer", $"scorer.{size.Name}.torch", $"{size.Name} TorchSharp eager, packed", "tokens/s", torchSeconds.Map(s => tokens / s));
        var ratio = report.Compare($"scorer.{size.Name}.ort_over_torch", $"{size.Name} ORT / TorchSharp eager", ortFigure, torchFigure, target: 2);
        if (ratio.Met == false)
            report.Note($"{size.Name}: ORT scores {ratio.Value:F2}× TorchSharp eager on the same {packed.Count} packed batches " +
                $"({tokens / (double)packed.Count:F0} useful tokens each): both run the same fp32 GEMMs, so the gap can only come from " +
                "what surrounds them (fused vs eager elementwise ops, per-call overhead); see the GEMM ceilings below.");
        report.Add("scorer", $"scorer.{size.Name}.ort_gflops", $"{size.Name} ONNX Runtime achieved (2·params·computed tokens)", "GFLOP/s",
            ortSeconds.Map(s => ForwardGigaflops(size, packed) / s));
        return report.Add("scorer", $"scorer.{size.Name}.ort_useful_gflops", $"{size.Name} ONNX Runtime useful work (2·decoder params·real tokens + 2·LM head·scored tokens)", "GFLOP/s",
            ortSeconds.Map(s => UsefulGigaflops(size, packed) / s));
    }

    private static void ComparePacking(BenchReport report, BenchSize size, ITokenLogProbModel ort, List<ScoringBatch> packed,
        IReadOnlyList<TokenizedSample> tokenized, long tokens)
    {
        var padded = ScoringBatch.PaddedToMax(tokenized, ReferenceBatchSize, report.Settings.MaxLength);
        var (packedSeconds, paddedSeconds) = report.Settings.Measurement.Interleave(
            () => ScoringBatch.Score(ort, packed), () => ScoringBatch.Score(ort, padded));
        var packedFigure = report.Add("scorer", $"scorer.{size.Name}.packed_useful", $"{size.Name} token-budget packing ({PaddingShare(packed):P0} padding)",
            "useful tokens/s", packedSeconds.Map(s => tokens / s));
        var paddedFigure = report.Add("scorer", $"scorer.{size.Name}.pad_to_max_useful",
            $"{size.Name} pad to {report.Settings.MaxLength}, batch {ReferenceBatchSize} ({PaddingShare(padded):P0} padding)", "useful tokens/s",
            paddedSeconds.Map(s => tokens / s));
        var ratio = report.Compare($"scorer.{size.Name}.packing_over_pad_to_max", $"{size.Name} packing / pad-to-max", packedFigure, paddedFigure, target: 3);
        var computedRatio = (double)padded.Sum(b => b.PaddedTokens) / packed.Sum(b => b.PaddedTokens);
        if (ratio.Met == false)
            report.Note($"{size.Name}: pad-to-max computes {computedRatio:F2}× the positions packing does, which bounds the gain; " +
                $"packing reaches {ratio.Value:F2}× in useful tokens/s. A wider length mix (a higher --samples count or max length) widens both.");
    }

    /// <summary>Achieved GFLOP/s against the square-GEMM peak; then MLAS at the model's own GEMM shapes
    /// (a packed batch's tokens × hidden against the MLP and the LM head), which bounds what the model can reach.</summary>
    private static void Utilisation(BenchReport report, BenchSize size, Figure achieved, List<ScoringBatch> packed)
    {
        if (report.Find(PeakPart.Ort) is not { } peak)
            return;
        var target = size.Name == UtilisationTargetSize ? 0.85 : (double?)null;
        var ratio = report.Compare($"scorer.{size.Name}.ort_useful_of_peak", $"{size.Name} ORT useful work / MLAS GEMM peak", achieved, peak, target);
        var rows = (long)packed.Select(b => (double)b.PaddedTokens).Order().ElementAt(packed.Count / 2);
        var config = size.Config;
        var mlp = ShapeCeiling(report, size, "mlp", rows, config.HiddenSize, config.IntermediateSize);
        var head = ShapeCeiling(report, size, "lm_head", rows, config.HiddenSize, config.VocabSize);
        if (ratio.Met == false)
            report.Note($"{size.Name}: ORT's useful work reaches {ratio.Value:P0} of the {peak.Stats.Median:F0} GFLOP/s square-GEMM peak. " +
                $"MLAS itself reaches {mlp.Stats.Median:F0} GFLOP/s at the MLP's shape and {head.Stats.Median:F0} at the LM head's ({rows} rows); " +
                $"{LmHeadShare(config):P0} of the FLOPs are the LM head. The rest of the time is in work 2·params does not count " +
                "(attention scores, softmax over the vocabulary, RMSNorm, RoPE) and padding inside packed batches " +
                $"({PaddingShare(packed):P0}).");
    }

    private static Figure ShapeCeiling(BenchReport report, BenchSize size, string name, long m, long k, long n)
    {
        using var probe = new GemmProbe(m, k, n, report.Settings.Threads);
        var seconds = report.Settings.Measurement.Repeat(probe.OrtSeconds);
        return report.Add("scorer", $"scorer.{size.Name}.gemm_{name}", $"{size.Name} MLAS GEMM at the {name} shape {m}×{k}×{n}", "GFLOP/s",
            seconds.Map(probe.GigaflopsPerSecond));
    }

    private static async Task CompareConcurrency(BenchReport report, BenchSize size, string onnx, SyntheticData data, BatchBudget budget)
    {
        // Several models share the cores: each session gets its share of the threads rather than all of them.
        var threadsEach = Math.Max(1, report.Settings.Threads / ConcurrentModels);
        using var one = new ConcurrentScorers(onnx, 1, report.Settings.Threads, budget);
        using var several = new ConcurrentScorers(onnx, ConcurrentModels, threadsEach, budget);
        var (oneSeconds, severalSeconds) = await report.Settings.Measurement.InterleaveAsync(() => one.ScoreAsync(data), () => several.ScoreAsync(data));
        var oneFigure = report.Add("scorer", $"scorer.{size.Name}.one_model", $"{size.Name} pipeline, 1 model × {report.Settings.Threads} threads",
            "model-tokens/s", oneSeconds.Map(s => data.Tokens / s));
        var severalFigure = report.Add("scorer", $"scorer.{size.Name}.several_models",
            $"{size.Name} pipeline, {ConcurrentModels} models × {threadsEach} threads, concurrently", "model-tokens/s",
            severalSeconds.Map(s => ConcurrentModels * data.Tokens / s));
        report.Compare($"scorer.{size.Name}.several_over_one", $"{size.Name} {ConcurrentModels} concurrent / 1 model (aggregate)", severalFigure, oneFigure);
    }

    private static double ForwardGigaflops(BenchSize size, List<ScoringBatch> batches) =>
        2.0 * size.Parameters * batches.Sum(b => b.PaddedTokens) / 1e9;

    private static double UsefulGigaflops(BenchSize size, List<ScoringBatch> batches)
    {
        var head = (double)size.Config.HiddenSize * size.Config.VocabSize;
        var decoder = size.Parameters - head * (size.Config.TieWordEmbeddings ? 1 : 2);
        return (2.0 * decoder * batches.Sum(b => b.UsefulTokens) + 2.0 * head * batches.Sum(b => b.ScoredTokens)) / 1e9;
    }

    private static double PaddingShare(List<ScoringBatch> batches) =>
        1 - (double)batches.Sum(b => b.UsefulTokens) / batches.Sum(b => b.PaddedTokens);

    private static double LmHeadShare(PoFT.Checkpoints.ModelConfig config) =>
        (double)config.HiddenSize * config.VocabSize / config.ParameterCount;
}
