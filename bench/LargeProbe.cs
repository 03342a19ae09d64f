using System.Diagnostics;
using System.Globalization;
using PoFT.Exporter;
using PoFT.Hybrid;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Checkpoints;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Trainer.Model;

namespace PoFT.Bench;

/// <summary>
/// The child side of the large part (<see cref="LargePart"/>): one step of a large model's way from
/// checkpoint to scores in a fresh process — export, ONNX Runtime load and scoring, parity against
/// TorchSharp — printing its figures as <c>key=value</c> lines, the process's peak resident set last.
/// </summary>
public static class LargeProbe
{
    public const string Init = "large-init";
    public const string Export = "large-export";
    public const string Ort = "large-ort";
    public const string Parity = "large-parity";

    public static bool Handles(string workload) => workload is Init or Export or Ort or Parity;

    /// <param name="args">WORKLOAD then its arguments:
    /// <c>large-init CONFIG.json OUT SEED</c> (a fresh checkpoint: libtorch holds the model and its
    /// copy on the way to disk, twice the weights, which the parent must not keep resident beside the later steps),
    /// <c>large-export CHECKPOINT OUT THRESHOLD_BYTES</c>,
    /// <c>large-ort MODEL.ONNX SAMPLES LENGTH THREADS PREPACK(on|off)</c>,
    /// <c>large-parity CHECKPOINT EXPORT_DIR</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(int i) => i < args.Length ? args[i] : throw new ArgumentException($"{args[0]}: argument {i} missing (see LargeProbe)");
        int Int(int i) => int.Parse(Arg(i), CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        switch (args[0])
        {
            case Init:
                using (var model = ModelCheckpoint.CreateFresh(ModelConfig.Load(Arg(1)), long.Parse(Arg(3), CultureInfo.InvariantCulture)))
                    ModelCheckpoint.Save(model, Arg(2), tokenizerDirectory: null);
                Print("init_seconds", clock.Elapsed.TotalSeconds);
                break;
            case Export:
                LlamaOnnxExporter.Export(Arg(1), Arg(2), new ExportOptions { ExternalDataThresholdBytes = long.Parse(Arg(3), CultureInfo.InvariantCulture) });
                Print("export_seconds", clock.Elapsed.TotalSeconds);
                break;
            case Ort:
                await Score(Arg(1), Int(2), Int(3), Int(4), Arg(5) switch
                {
                    "on" => false,
                    "off" => true,
                    var other => throw new ArgumentException($"{Ort}: PREPACK must be on or off, not '{other}'"),
                });
                break;
            case Parity:
                Print("max_rel_diff", ExportCheck.Verify(Arg(1), Arg(2)));
                break;
            default:
                throw new ArgumentException($"unknown large probe workload '{args[0]}'");
        }
        Print("peak_rss_bytes", ProbeProcess.PeakResidentBytes());
        return 0;
    }

    /// <summary>Opens the session (timed, and its resident memory split into anonymous pages — what ORT
    /// allocated — and file pages — external data it memory-mapped), then scores random samples through the
    /// scorer's pipeline, timed on the second of two runs.</summary>
    private static async Task Score(string onnxPath, int samples, int length, int threads, bool disablePrepacking)
    {
        var clock = Stopwatch.StartNew();
        using var session = OrtTokenLogProbModel.Open("large", onnxPath, new ExecutionProviderSpec(),
            new OrtScoringOptions { IntraOpThreads = threads, DisablePrepacking = disablePrepacking }, Console.Error.WriteLine);
        Print("load_seconds", clock.Elapsed.TotalSeconds);
        Print("loaded_rss_anon_bytes", ProbeProcess.StatusBytes("RssAnon"));
        Print("loaded_rss_file_bytes", ProbeProcess.StatusBytes("RssFile"));
        Print("load_peak_rss_bytes", ProbeProcess.PeakResidentBytes());

        var vocabulary = ModelConfig.Load(Path.Combine(Path.GetDirectoryName(onnxPath)!, Checkpoint.ConfigFile)).VocabSize;
        var budget = BatchBudget.For(vocabulary, session.HeadOnScoredPositions);
        var data = SyntheticData.Create(Enumerable.Repeat(length, samples).ToArray(), vocabulary, seed: 53);
        // The warm-up is the same batches: the first run of a shape grows the arena and (without pre-packing)
        // faults the mapped weights in, which is load, not scoring.
        await ScoreAll(session, data, budget);
        clock.Restart();
        await ScoreAll(session, data, budget);
        Print("tokens_per_second", data.Tokens / clock.Elapsed.TotalSeconds);
        // Without pre-packing the weights stay in the mapped data file and are faulted in by the first run:
        // the split after scoring says where they ended up.
        Print("scored_rss_anon_bytes", ProbeProcess.StatusBytes("RssAnon"));
        Print("scored_rss_file_bytes", ProbeProcess.StatusBytes("RssFile"));
    }

    private static async Task ScoreAll(OrtTokenLogProbModel session, SyntheticData data, BatchBudget budget)
    {
        var pipeline = new ScoringPipeline([new AlignedScorerModel("large", 1, data.Tokenize, session, budget)], new ScoringPipelineOptions());
        await foreach (var _ in pipeline.Start(data.Samples, batchSize: 64).ReadAllAsync())
        {
        }
    }

    private static void Print(string key, double value) =>
        Console.WriteLine($"{key}={value.ToString("R", CultureInfo.InvariantCulture)}");
}
