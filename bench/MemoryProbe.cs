using System.Diagnostics;
using System.Globalization;
using PoFT.Scorer.Pipeline;
using PoFT.Checkpoints;
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
    public const string ResultKey = "peak_rss_bytes";

    /// <summary>Optimizer steps a trainer probe runs: AdamW's state exists from the first step's end on, so
    /// the second step's backward pass is the steady state's peak.</summary>
    public const int TrainerSteps = 2;

    /// <param name="model">The ONNX file (scorer) or the config.json of a fresh model (trainer).</param>
    /// <param name="samples">Samples scored, or the training batch size.</param>
    /// <param name="length">Every sample's length in tokens.</param>
    /// <param name="option">The scorer's batch budget and its data's response share (padded:scored:share), or the trainer's <see cref="TrainerSetup"/> id.</param>
    public static async Task<int> RunAsync(string workload, string model, int samples, int length, string option, int threads)
    {
        torch.set_num_threads(threads);
        switch (workload)
        {
            case "scorer":
                var budget = option.Split(':');
                await Score(model, samples, length, new BatchBudget(int.Parse(budget[0], CultureInfo.InvariantCulture), int.Parse(budget[1], CultureInfo.InvariantCulture)),
                    double.Parse(budget[2], CultureInfo.InvariantCulture), threads);
                break;
            case "trainer":
                await Train(ModelConfig.Load(model), TrainerSetup.Parse(option), samples, length);
                break;
            default:
                throw new ArgumentException($"unknown probe workload '{workload}'; expected scorer or trainer");
        }
        Console.WriteLine($"{ResultKey}={ProbeProcess.PeakResidentBytes().ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static async Task Score(string onnxPath, int samples, int length, BatchBudget budget, double responseShare, int threads)
    {
        using var session = BenchModels.OpenOrt(onnxPath, threads);
        var data = SyntheticData.Create(Enumerable.Repeat(length, samples).ToArray(), VocabularyOf(onnxPath), seed: 41, responseShare);
        var pipeline = new ScoringPipeline([new AlignedScorerModel("probe", 1, data.Tokenize, session, budget)], new ScoringPipelineOptions());
        await foreach (var _ in pipeline.Start(data.Samples, batchSize: 64).ReadAllAsync())
        {
        }
    }

    private static async Task Train(ModelConfig config, TrainerSetup setup, int batchSize, int length)
    {
        using var model = setup.CreateModel(config);
        var data = SyntheticData.Create(Enumerable.Repeat(length, TrainerSteps * batchSize).ToArray(), config.VocabSize, seed: 43);
        var scratch = Directory.CreateTempSubdirectory("poft-probe-").FullName;
        try
        {
            await new TrainerRun(model, data, scratch, batchSize, setup).RunAsync(ObjectiveKind.Poft, maxSteps: TrainerSteps, TrainerRun.KnownScores(data), Stopwatch.StartNew());
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The vocabulary from the config.json the exporter writes beside model.onnx.</summary>
    private static int VocabularyOf(string onnxPath) =>
        ModelConfig.Load(Path.Combine(Path.GetDirectoryName(onnxPath)!, "config.json")).VocabSize;
}
