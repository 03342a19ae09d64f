using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PoFT.Cli.Terminal;
using PoFT.Scorer;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Trainer.Model;

namespace PoFT.Cli.Commands;

/// <summary><c>score</c>: scoring-only mode — every sample's per-model scores and r̄ into a score file.</summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var manifest = new Option<FileInfo>("--manifest") { Description = "models manifest", DefaultValueFactory = _ => new FileInfo("models-manifest.json") };
        var data = new Option<FileInfo>("--data") { Description = "SFT or preference data (.jsonl, .json array or .parquet; layouts: --data-format; a pair is scored as ID/chosen and ID/rejected)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "score file to write (.msgpack or .jsonl)", Required = true };
        var resume = new Option<bool>("--resume") { Description = "keep the records already in --out and score only the missing ids" };
        var shard = new Option<string?>("--shard")
        {
            Description = $"score only shard i of N (by a hash of the sample id), e.g. 0/4; default: from {JobShard.IndexVariable} and {JobShard.CountVariable} " +
                "(a Kubernetes Indexed Job), else all samples",
        };
        var backend = new Option<ScoringBackend>("--backend") { Description = "onnx (default) or torch (each model's checkpoint, for parity checks)", DefaultValueFactory = _ => ScoringBackend.Onnx };
        var skipBad = new Option<bool>("--skip-bad") { Description = "skip malformed records and samples no truncation fits into a model's max_length, list them at the end" };
        var requireGpu = new Option<bool>("--require-gpu") { Description = "fail instead of falling back to CPU when a model asks for CUDA" };
        var budget = new Option<int>("--token-budget") { Description = "padded tokens per inference batch (0: the scorer's rule, docs/scoring.md \"ONNX graph\": logits capped at 512 MiB)", DefaultValueFactory = _ => 0 };
        var window = new Option<int>("--window") { Description = "samples sorted and packed together", DefaultValueFactory = _ => new ScoringPipelineOptions().WindowSize };
        var ifd = new Option<bool>("--ifd") { Description = "each model also scores each response without its prompt: records get r(y) and IFD = exp(r(y) − r(y|x)) (docs/scoring.md, \"IFD\"); one more pass per model" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads per model (0: all cores)", DefaultValueFactory = _ => 0 };
        var command = new Command("score", "Score SFT or preference data with the aligned models of a manifest (scoring-only mode)")
        {
            manifest, data, output, resume, shard, backend, skipBad, requireGpu, budget, window, threads, ifd,
        };
        var dataFormat = new DataFormatOptions();
        dataFormat.AddTo(command);
        command.SetAction((parse, cancellation) => Run(
            ModelsManifest.Load(parse.GetRequiredValue(manifest).FullName),
            parse.GetRequiredValue(data).FullName,
            parse.GetRequiredValue(output).FullName,
            parse.GetValue(resume),
            JobShard.Resolve(parse.GetValue(shard), Environment.GetEnvironmentVariable),
            parse.GetValue(backend),
            parse.GetValue(skipBad),
            new OrtScoringOptions { RequireGpu = parse.GetValue(requireGpu), IntraOpThreads = parse.GetValue(threads) },
            parse.GetValue(budget),
            new ScoringPipelineOptions { WindowSize = parse.GetValue(window) },
            dataFormat.Read(parse),
            parse.GetValue(ifd),
            cancellation));
        return command;
    }

    private static async Task<int> Run(ModelsManifest manifest, string dataPath, string outPath, bool resume, SampleShard shard,
        ScoringBackend backend, bool skipBad, OrtScoringOptions ortOptions, int tokenBudget, ScoringPipelineOptions pipelineOptions, DataFormat format, bool ifd, CancellationToken cancellation)
    {
        IScoringBackend models = backend == ScoringBackend.Torch ? new TorchScoringBackend(Placement.Cpu) : new OrtScoringBackend(ortOptions);
        using var run = ScoringOnlyRun.Open(manifest, dataPath, outPath, resume, shard, skipBad, models, tokenBudget, pipelineOptions, Console.Error.WriteLine, format, ifd);
        Console.Error.WriteLine($"data {dataPath}: layout {run.Data.Layout}");
        for (var j = 0; j < run.Models.Models.Count; j++)
            Console.Error.WriteLine($"model {run.Models.Models[j].Name}: {run.Models.Providers[j]}, weight {run.Models.Models[j].Weight}, {run.Models.Models[j].Budget}");
        if (shard.Count > 1)
            Console.Error.WriteLine($"shard {shard}: {run.Todo.Count + run.AlreadyScored} of {run.Data.Samples.Count} samples");
        if (run.AlreadyScored > 0)
            Console.Error.WriteLine($"resuming: {run.AlreadyScored} samples already in {outPath}");

        var clock = Stopwatch.StartNew();
        ScoringPipeline pipeline;
        try
        {
            await using var progress = new ProgressDisplay("scoring", run.Todo.Count, "samples");
            pipeline = await run.RunAsync(new Progress<(int Samples, long Tokens)>(p =>
                progress.Report(p.Samples, $"{p.Tokens / clock.Elapsed.TotalSeconds:F0} tok/s")), cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine($"stopped: the records scored so far are in {outPath}; `score --resume` scores the rest");
            return ShutdownSignal.ExitCode;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var tokens = pipeline.Statistics.Sum(s => s.Tokens);
        var padded = pipeline.Statistics.Sum(s => s.PaddedTokens);
        var padding = padded == 0 ? 0 : 1 - (double)tokens / padded;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scored={run.Todo.Count} samples_per_s={run.Todo.Count / seconds:F2} tokens_per_s={tokens / seconds:F0} padding={padding:F4}"));
        foreach (var s in pipeline.Statistics)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  model={s.Name} tokens={s.Tokens} response_tokens={s.ResponseTokens} batches={s.Batches} padding={s.PaddingFraction:F4} " +
                $"inference_s={s.InferenceTime.TotalSeconds:F2} tokenize_s={s.TokenizeTime.TotalSeconds:F2} tokens_per_inference_s={s.Tokens / Math.Max(1e-9, s.InferenceTime.TotalSeconds):F0}"));
        if (run.Data.Skipped.Count > 0)
        {
            Console.Error.WriteLine($"skipped {run.Data.Skipped.Count} bad records:");
            foreach (var bad in run.Data.Skipped)
                Console.Error.WriteLine($"  {bad.Location}: {bad.Reason}");
        }
        if (run.Unfit.Count > 0)
        {
            Console.Error.WriteLine($"skipped {run.Unfit.Count} samples no truncation fits (not in {outPath}):");
            foreach (var bad in run.Unfit)
                Console.Error.WriteLine($"  {bad.Location}: {bad.Reason}");
        }
        if (run.WriteQualityReport() is { } report)
            ScoreReportCommand.Print(report);
        return 0;
    }

    /// <summary>What runs the aligned models: their exported ONNX graphs (the product), or their TorchSharp
    /// checkpoints (parity checks; needs each model's <c>checkpoint</c> in the manifest).</summary>
    private enum ScoringBackend { Onnx, Torch }
}
