using System.Diagnostics;
using PoFT.Scorer.Quality;
using PoFT.Exporter;
using PoFT.Exporter.Precision;
using PoFT.Scorer.Manifest;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Bench;

/// <summary>
/// Part 6: export precision on the demo's own aligned models and noisy SFT data (<c>./run.sh demo</c> first;
/// <c>--demo DIR</c>). Every aligned checkpoint is exported at each precision; the demo's training set (clean
/// and noise samples) is scored through the product's scoring pipeline with each, the precisions interleaved
/// round by round. Per precision: max |Δ r_j| against fp32 over every sample and model, the AUC of r̄ for clean
/// vs noise (the signal PoFT lives on), useful tokens/s and its ratio to fp32, the files' size, and each
/// model's peak resident memory scoring alone in a fresh process. Then the same speed and memory figures at the
/// bench's model sizes (<see cref="PrecisionSpeedPart"/>).
/// </summary>
public static class PrecisionPart
{
    private const double MiB = 1 << 20;

    public static readonly IReadOnlyList<ExportPrecision> Precisions =
    [
        ExportPrecision.Fp32,
        new() { Dtype = ExportDtype.Fp16 },
        new() { Dtype = ExportDtype.Bf16 },
        new() { Quantize = ExportQuantization.Int8 },
        new() { Quantize = ExportQuantization.Int4 },
    ];

    public static async Task RunAsync(BenchReport report, BenchModels models)
    {
        await Demo(report, models);
        PrecisionSpeedPart.Run(report, models);
    }

    /// <summary>"fp32", "int4-b32": a precision as an id or folder name.</summary>
    public static string Slug(ExportPrecision precision) => precision.ToString().Replace('/', '-');

    public static long FileBytes(string onnx) =>
        new FileInfo(onnx).Length + (File.Exists(onnx + ".data") ? new FileInfo(onnx + ".data").Length : 0);

    private static async Task Demo(BenchReport report, BenchModels models)
    {
        var demo = report.Settings.DemoDirectory;
        var manifestPath = Path.Combine(demo, "models-manifest.json");
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException($"bench precision: {manifestPath} not found: run `./run.sh demo` (or `--quick`) first, or pass --demo DIR", manifestPath);
        var manifest = ModelsManifest.Load(manifestPath);
        var data = NoisyTrainingSet(demo);
        var samples = report.Settings.Quick ? data.Samples.Take(64).ToList() : data.Samples.ToList();
        var noise = samples.Where(s => s.IsNoise).Select(s => s.Id).ToHashSet();
        report.Note($"precision: {manifest.Models.Count} aligned models of {manifestPath}; {samples.Count} samples of {data.Path} ({noise.Count} noise)");

        var variants = new List<(ExportPrecision Precision, ModelsManifest Manifest)>();
        foreach (var precision in Precisions)
        {
            var exported = Export(report, manifest, precision, Path.Combine(models.Directory, "precision", Slug(precision)));
            if (exported is not null)
                variants.Add((precision, exported));
        }

        var options = new OrtScoringOptions { IntraOpThreads = report.Settings.Threads };
        var scores = new Dictionary<ExportPrecision, IReadOnlyDictionary<string, PreferenceScore>>();
        var seconds = variants.ToDictionary(v => v.Precision, _ => new List<double>());
        long tokens = 0;
        // Round-robin: every round scores the whole set once with each precision, so drift falls on all alike.
        for (var round = 0; round < report.Settings.Warmup + report.Settings.Repeats; round++)
            foreach (var (precision, variant) in variants)
            {
                var (byId, elapsed, scoredTokens) = await Score(variant, samples, options);
                scores[precision] = byId;
                tokens = scoredTokens;
                if (round >= report.Settings.Warmup)
                    seconds[precision].Add(elapsed);
            }

        var fp32 = scores[ExportPrecision.Fp32];
        Figure? fp32Speed = null;
        foreach (var (precision, variant) in variants)
        {
            var id = $"precision.{Slug(precision)}";
            var byId = scores[precision];
            var deviation = fp32.Max(p => p.Value.PerModel.Zip(byId[p.Key].PerModel, (a, b) => Math.Abs(a.Mean - b.Mean)).Max());
            report.Add("precision", $"{id}.max_delta_r", $"{precision}: max |Δ r_j| vs fp32 over {samples.Count} samples × {manifest.Models.Count} models", "nats/token", Stats.Single(deviation));
            var auc = RocAuc.Of([.. byId.Where(p => !noise.Contains(p.Key)).Select(p => p.Value.Reference)],
                [.. byId.Where(p => noise.Contains(p.Key)).Select(p => p.Value.Reference)]);
            report.Add("precision", $"{id}.auc", $"{precision}: AUC of r̄, clean vs noise", "", Stats.Single(auc));
            var speed = report.Add("precision", $"{id}.tokens_per_s", $"{precision}: scoring, all aligned models, useful tokens/s", "tokens/s",
                Stats.From(seconds[precision]).Map(s => tokens / s));
            if (fp32Speed is null)
                fp32Speed = speed;
            else
                report.Compare($"{id}.speed_vs_fp32", $"{precision} / fp32 scoring throughput", speed, fp32Speed);
            foreach (var spec in variant.Models)
            {
                var onnx = variant.Resolve(spec.Onnx);
                report.Add("precision", $"{id}.{spec.Name}.file", $"{precision}: {spec.Name} model file", "MiB", Stats.Single(FileBytes(onnx) / MiB));
                Memory(report, $"{id}.{spec.Name}", $"{precision}: {spec.Name}", onnx);
            }
        }
    }

    /// <summary>The manifest with every model's ONNX file exported anew at <paramref name="precision"/>; null
    /// (and a note naming why) when ONNX Runtime's CPU provider cannot load it.</summary>
    private static ModelsManifest? Export(BenchReport report, ModelsManifest manifest, ExportPrecision precision, string directory)
    {
        var specs = new List<AlignedModelSpec>();
        foreach (var spec in manifest.Models)
        {
            if (spec.Checkpoint is null)
                throw new InvalidDataException($"{manifest.Path}: model '{spec.Name}' names no checkpoint to export at other precisions");
            var output = Path.Combine(directory, spec.Name);
            var clock = Stopwatch.StartNew();
            LlamaOnnxExporter.Export(manifest.Resolve(spec.Checkpoint), output, new ExportOptions { Precision = precision });
            report.Add("precision", $"precision.{Slug(precision)}.{spec.Name}.export", $"{precision}: {spec.Name} export", "s", Stats.Single(clock.Elapsed.TotalSeconds));
            var onnx = Path.Combine(output, ScoringGraph.ModelFile);
            try
            {
                OrtTokenLogProbModel.Open(spec.Name, onnx, new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { }).Dispose();
            }
            catch (InvalidDataException e)
            {
                report.Note($"precision: {precision} does not load on ONNX Runtime's CPU provider: {e.Message}");
                return null;
            }
            specs.Add(spec with { Onnx = onnx });
        }
        // Same path: tokenizers and templates still resolve against the demo's manifest folder; the ONNX paths are absolute.
        return manifest with { Models = specs };
    }

    private static async Task<(IReadOnlyDictionary<string, PreferenceScore> Scores, double Seconds, long Tokens)> Score(
        ModelsManifest manifest, IReadOnlyList<SftSample> samples, OrtScoringOptions options)
    {
        using var set = AlignedModelSet.Open(manifest, new OrtScoringBackend(options), tokenBudget: 0, _ => { });
        var pipeline = new ScoringPipeline(set.Models, new ScoringPipelineOptions());
        var scores = new Dictionary<string, PreferenceScore>();
        var clock = Stopwatch.StartNew();
        await foreach (var batch in pipeline.Start(samples, batchSize: 64).ReadAllAsync())
            foreach (var score in batch.Scores)
                scores[score.SampleId] = score;
        var elapsed = clock.Elapsed.TotalSeconds;
        await pipeline.Finished;
        return (scores, elapsed, pipeline.Statistics.Sum(s => s.Tokens));
    }

    /// <summary>Peak resident memory of scoring <paramref name="onnx"/> alone, in a fresh process.</summary>
    public static void Memory(BenchReport report, string id, string label, string onnx)
    {
        var vocabulary = ModelConfigOf(onnx).VocabSize;
        var (samples, length) = report.Settings.Quick ? (8, 64) : (64, 128);
        try
        {
            var bytes = MemoryPart.RunChild(["scorer", onnx, $"{samples}", $"{length}", MemoryPart.ScorerProbeOption(BatchBudget.For(vocabulary, headOnScoredPositions: true), SyntheticData.ResponseShare), $"{report.Settings.Threads}"]);
            report.Add("precision", $"{id}.peak_rss", $"{label}: peak RSS scoring {samples}×{length} tokens alone (fresh process)", "MiB", Stats.Single(bytes / MiB));
        }
        catch (ProbeFailedException e)
        {
            report.Note($"precision: {label}: {e.Message}");
        }
    }

    private static PoFT.Checkpoints.ModelConfig ModelConfigOf(string onnx) =>
        PoFT.Checkpoints.ModelConfig.Load(Path.Combine(Path.GetDirectoryName(onnx)!, "config.json"));

    /// <summary>The first of the demo's training sets (noisy, for the target runs) that holds noise samples.</summary>
    private static SftDataSet NoisyTrainingSet(string demo)
    {
        foreach (var path in Directory.EnumerateFiles(demo, "train.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var set = SftDataSet.Read(path);
            if (set.Samples.Any(s => s.IsNoise))
                return set;
        }
        throw new FileNotFoundException($"bench precision: no train.jsonl with noise samples under {demo}: run the demo with a noise level above 0");
    }
}
