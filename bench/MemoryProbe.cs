using System.Diagnostics;
using System.Globalization;
using PoFT.Scorer.Pipeline;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Objectives;
using TorchSharp;

namespace PoFT.Bench;

/// <summary>
/// The child side of the memory part: one workload in a fresh process, then the process's peak resident
/// set (VmHWM) on stdout. A fresh process per configuration, because a peak never goes down: measured in
/// one process, every configuration would report the largest one before it.
/// </summary>
public static class MemoryProbe
{
    public const string ResultPrefix = "peak_rss_bytes=";

    /// <param name="model">The ONNX file (scorer) or checkpoint directory (trainer).</param>
    /// <param name="samples">Samples scored, or the training batch size.</param>
    /// <param name="length">Every sample's length in tokens.</param>
    public static async Task<int> RunAsync(string workload, string model, int samples, int length, int budget, int threads)
    {
        torch.set_num_threads(threads);
        switch (workload)
        {
            case "scorer":
                await Score(model, samples, length, budget, threads);
                break;
            case "trainer":
                await Train(model, samples, length);
                break;
            default:
                throw new ArgumentException($"unknown probe workload '{workload}'; expected scorer or trainer");
        }
        Console.WriteLine(ResultPrefix + PeakResidentBytes().ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    public static long PeakResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static async Task Score(string onnxPath, int samples, int length, int budget, int threads)
    {
        using var session = BenchModels.OpenOrt(onnxPath, threads);
        var data = SyntheticData.Create(Enumerable.Repeat(length, samples).ToArray(), VocabularyOf(onnxPath), seed: 41);
        var pipeline = new ScoringPipeline([new AlignedScorerModel("probe", 1, data.Tokenize, session, budget)], new ScoringPipelineOptions());
        await foreach (var _ in pipeline.Start(data.Samples, batchSize: 64).ReadAllAsync())
        {
        }
    }

    private static async Task Train(string checkpoint, int batchSize, int length)
    {
        using var model = ModelCheckpoint.Load(checkpoint, Placement.Cpu);
        var data = SyntheticData.Create(Enumerable.Repeat(length, batchSize).ToArray(), model.Config.VocabSize, seed: 43);
        var scratch = Directory.CreateTempSubdirectory("poft-probe-").FullName;
        try
        {
            await new TrainerRun(model, data, scratch, batchSize).RunAsync(ObjectiveKind.Poft, maxSteps: 1, TrainerRun.KnownScores(data), Stopwatch.StartNew());
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The vocabulary from the config.json the exporter writes beside model.onnx.</summary>
    private static int VocabularyOf(string onnxPath) =>
        PoFT.Shared.Checkpoints.ModelConfig.Load(Path.Combine(Path.GetDirectoryName(onnxPath)!, "config.json")).VocabSize;
}
