using PoFT.Exporter;
using PoFT.Exporter.Precision;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Bench;

/// <summary>
/// The precision part's speed and memory at the bench's own model sizes (20m, 100m: random weights, vocabulary
/// 32000), where the decoder projections — what quantization touches — are 43 % and 75 % of the weights, not the
/// sliver they are of the demo's embedding-heavy aligned models. The same packed batches through each loadable
/// precision, interleaved round by round; peak RSS of each in a fresh process.
/// </summary>
public static class PrecisionSpeedPart
{
    private const double MiB = 1 << 20;

    public static void Run(BenchReport report, BenchModels models)
    {
        foreach (var size in report.Settings.ModelSizes)
        {
            var checkpoint = models.Checkpoint(size.Name, size.Config);
            var data = SyntheticData.Create(report.Settings.LengthMix, report.Settings.Samples, size.Config.VocabSize, seed: 17);
            var packed = ScoringBatch.Packed(data.Tokenized, BatchBudget.For(size.Config.VocabSize, headOnScoredPositions: true));
            var sessions = new List<(ExportPrecision Precision, string Onnx, OrtTokenLogProbModel Session)>();
            try
            {
                foreach (var precision in PrecisionPart.Precisions)
                {
                    var onnx = Path.Combine(models.Directory, "precision-speed", size.Name, PrecisionPart.Slug(precision), ScoringGraph.ModelFile);
                    LlamaOnnxExporter.Export(checkpoint, Path.GetDirectoryName(onnx)!, new ExportOptions { Precision = precision });
                    try
                    {
                        sessions.Add((precision, onnx, BenchModels.OpenOrt(onnx, report.Settings.Threads)));
                    }
                    catch (InvalidDataException e)
                    {
                        report.Note($"precision {size.Name}: {precision} does not load on the CPU provider: {e.Message}");
                    }
                }
                var seconds = sessions.ToDictionary(s => s.Precision, _ => new List<double>());
                for (var round = 0; round < report.Settings.Warmup + report.Settings.Repeats; round++)
                    foreach (var (precision, _, session) in sessions)
                    {
                        var elapsed = ScoringBatch.Score(session, packed);
                        if (round >= report.Settings.Warmup)
                            seconds[precision].Add(elapsed);
                    }
                Figure? fp32 = null;
                foreach (var (precision, onnx, _) in sessions)
                {
                    var id = $"precision.{size.Name}.{PrecisionPart.Slug(precision)}";
                    var speed = report.Add("precision", $"{id}.tokens_per_s", $"{size.Name} {precision}: ONNX Runtime, packed, useful tokens/s", "tokens/s",
                        Stats.From(seconds[precision]).Map(s => data.Tokens / s));
                    if (fp32 is null)
                        fp32 = speed;
                    else
                        report.Compare($"{id}.speed_vs_fp32", $"{size.Name} {precision} / fp32 throughput", speed, fp32);
                    report.Add("precision", $"{id}.file", $"{size.Name} {precision}: model file", "MiB", Stats.Single(PrecisionPart.FileBytes(onnx) / MiB));
                    PrecisionPart.Memory(report, id, $"{size.Name} {precision}", onnx);
                }
            }
            finally
            {
                foreach (var (_, _, session) in sessions)
                    session.Dispose();
            }
        }
    }
}
