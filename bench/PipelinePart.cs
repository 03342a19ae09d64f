using System.Diagnostics;
using PoFT.Scorer.Pipeline;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;

namespace PoFT.Bench;

/// <summary>
/// Part 4, per model size: one PoFT epoch with the scorer running concurrently (online) vs scoring every
/// sample first and training after (sequential), interleaved; wall time up to the last optimizer step,
/// and the share of the online trainer's time spent waiting for scores.
/// </summary>
public static class PipelinePart
{
    public static async Task RunAsync(BenchReport report, BenchModels models)
    {
        foreach (var size in report.Settings.ModelSizes)
            await RunAsync(report, models, size);
    }

    private static async Task RunAsync(BenchReport report, BenchModels models, BenchSize size)
    {
        var onnx = models.Onnx(size.Name, size.Config);
        var data = SyntheticData.Create(report.Settings.LengthMix, report.Settings.Samples, size.Config.VocabSize, seed: 31);
        using var model = ModelCheckpoint.CreateFresh(size.Config, seed: 1);
        using var scorer = BenchModels.OpenOrt(onnx, report.Settings.Threads);
        var aligned = new AlignedScorerModel("aligned", 1, data.Tokenize, scorer, BatchBudget.For(size.Config, scorer.HeadOnScoredPositions));
        var run = new TrainerRun(model, data, models.Directory);
        var waits = new List<double>();
        var (online, sequential) = await report.Settings.Measurement.InterleaveAsync(
            async () =>
            {
                var (seconds, wait) = await Online(run, aligned);
                waits.Add(wait);
                return seconds;
            },
            () => Sequential(run, aligned, data));
        var label = $"{size.Name} one epoch of {data.Samples.Count} samples";
        var onlineFigure = report.Add("pipeline", $"pipeline.{size.Name}.online", $"{label}, online (scorer ∥ trainer)", "s", online);
        var sequentialFigure = report.Add("pipeline", $"pipeline.{size.Name}.sequential", $"{label}, sequential (score all, then train)", "s", sequential);
        // Warm-up rounds ran Online too; the last Repeats waits belong to the recorded rounds.
        var waitFigure = report.Add("pipeline", $"pipeline.{size.Name}.online_wait_share", $"{size.Name} online trainer waiting on the scorer",
            "fraction", Stats.From([.. waits.TakeLast(report.Settings.Repeats)]).Zip(online, (wait, seconds) => wait / seconds));
        var ratio = report.Compare($"pipeline.{size.Name}.sequential_over_online", $"{size.Name} sequential / online epoch time",
            sequentialFigure, onlineFigure, target: 1);
        if (ratio.Met == false)
            report.Note($"{size.Name}: the online epoch is slower than the sequential one; its trainer waited on the scorer " +
                $"{waitFigure.Stats.Median:P0} of the time, and both compete for {report.Settings.Threads} threads on {Environment.ProcessorCount} cores.");
    }

    /// <returns>Seconds to the last step and seconds the trainer waited for scores.</returns>
    private static async Task<(double Seconds, double Wait)> Online(TrainerRun run, AlignedScorerModel aligned)
    {
        var clock = Stopwatch.StartNew();
        var pipeline = new ScoringPipeline([aligned], new ScoringPipelineOptions());
        var scores = new ReferenceScores([], pipeline.Start(run.ScoringOrder(ObjectiveKind.Poft), TrainerRun.BatchSize));
        var steps = await run.RunAsync(ObjectiveKind.Poft, maxSteps: 0, scores, clock);
        return (steps[^1].EndSeconds, steps.Sum(s => s.Metrics.ScorerWaitS));
    }

    private static async Task<double> Sequential(TrainerRun run, AlignedScorerModel aligned, SyntheticData data)
    {
        var clock = Stopwatch.StartNew();
        var pipeline = new ScoringPipeline([aligned], new ScoringPipelineOptions());
        var known = new List<PoFT.Shared.Scoring.PreferenceScore>();
        await foreach (var batch in pipeline.Start(data.Samples, TrainerRun.BatchSize).ReadAllAsync())
            known.AddRange(batch.Scores);
        var steps = await run.RunAsync(ObjectiveKind.Poft, maxSteps: 0, new ReferenceScores(known), clock);
        return steps[^1].EndSeconds;
    }
}
