using System.CommandLine;
using System.Globalization;
using PoFT.Cli.Terminal;
using PoFT.Cli.Training;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;

namespace PoFT.Cli.Commands;

/// <summary><c>train</c>: PoFT (or CE, bi-PoFT) training from a config file, flags overriding its fields.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "train config (JSON; README \"Training\", example: configs/train.example.json)", Required = true };
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "continue exactly from a checkpoint this trainer wrote" };
        var objective = new Option<string?>("--objective") { Description = "ce, poft or bi-poft" };
        var beta = new Option<double?>("--beta") { Description = "PoFT β" };
        var gamma = new Option<double?>("--gamma") { Description = "PoFT γ" };
        var lr = new Option<double?>("--lr") { Description = "peak learning rate" };
        var epochs = new Option<int?>("--epochs");
        var maxSteps = new Option<int?>("--max-steps") { Description = "stop after N optimizer steps" };
        var batchSize = new Option<int?>("--batch-size");
        var accumulation = new Option<int?>("--grad-accum") { Description = "micro-batches per optimizer step" };
        var seed = new Option<int?>("--seed");
        var keepTop = new Option<double?>("--keep-top") { Description = "train only on the top PCT % of samples by r̄" };
        var evalEvery = new Option<int?>("--eval-every") { Description = "evaluate every N steps (0: each epoch's end)" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "checkpoint every N steps (0: end only)" };
        var output = new Option<string?>("--output") { Description = "run directory (metrics.jsonl, checkpoints/, final/)" };
        var manifest = new Option<string?>("--manifest") { Description = "aligned models for online scoring" };
        var scores = new Option<string?>("--scores") { Description = "reuse a `score` output instead of scoring online" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N" };
        var command = new Command("train", "Train the target model with PoFT, CE or bi-PoFT, scored online by the aligned models")
        {
            config, resume, objective, beta, gamma, lr, epochs, maxSteps, batchSize, accumulation, seed, keepTop, evalEvery, checkpointEvery,
            output, manifest, scores, device,
        };
        command.SetAction(async (parse, _) =>
        {
            var loaded = TrainConfig.Load(parse.GetRequiredValue(config).FullName);
            var t = loaded.Training;
            var merged = loaded with
            {
                Output = parse.GetValue(output) is { } o ? Path.GetFullPath(o) : loaded.Output,
                Manifest = parse.GetValue(manifest) is { } m ? Path.GetFullPath(m) : loaded.Manifest,
                Scores = parse.GetValue(scores) is { } s ? Path.GetFullPath(s) : loaded.Scores,
                Device = parse.GetValue(device) ?? loaded.Device,
                Training = t with
                {
                    Objective = parse.GetValue(objective) is { } kind ? ParseObjective(kind) : t.Objective,
                    Beta = parse.GetValue(beta) ?? t.Beta,
                    Gamma = parse.GetValue(gamma) ?? t.Gamma,
                    LearningRate = parse.GetValue(lr) ?? t.LearningRate,
                    Epochs = parse.GetValue(epochs) ?? t.Epochs,
                    MaxSteps = parse.GetValue(maxSteps) ?? t.MaxSteps,
                    BatchSize = parse.GetValue(batchSize) ?? t.BatchSize,
                    GradientAccumulation = parse.GetValue(accumulation) ?? t.GradientAccumulation,
                    Seed = parse.GetValue(seed) ?? t.Seed,
                    KeepTopPercent = parse.GetValue(keepTop) ?? t.KeepTopPercent,
                    EvalEvery = parse.GetValue(evalEvery) ?? t.EvalEvery,
                    CheckpointEvery = parse.GetValue(checkpointEvery) ?? t.CheckpointEvery,
                },
            };
            using var signal = new ShutdownSignal();
            var summary = await Run(merged, parse.GetValue(resume)?.FullName, signal.Token);
            return summary.Interrupted ? 130 : 0;
        });
        return command;
    }

    public static async Task<TrainingSummary> Run(TrainConfig config, string? resume, CancellationToken stop)
    {
        TrainingSummary summary;
        await using (var progress = new ProgressDisplay("training", config.Training.MaxSteps, "steps"))
        {
            summary = await TrainingRun.RunAsync(config, resume, new Progress<StepMetrics>(m =>
                progress.Report(m.Step, string.Create(CultureInfo.InvariantCulture, $"loss {m.Loss:F4} ce {m.Ce:F4} τ {m.TauMean:F3} lr {m.Lr:E2} {m.TokensPerS:F0} tok/s"), m.TotalSteps)), stop);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steps={summary.Steps} tokens_per_s={summary.TokensPerSecond:F0} scorer_wait_fraction={summary.ScorerWaitFraction:F4} " +
            $"held_out_ce={summary.FinalEval?.HeldOutCe:F4} mean_tau={summary.FinalEval?.MeanTau:F4} interrupted={summary.Interrupted.ToString().ToLowerInvariant()}"));
        Console.WriteLine($"checkpoint: {summary.CheckpointDirectory}");
        return summary;
    }

    private static ObjectiveKind ParseObjective(string text) => text switch
    {
        "ce" => ObjectiveKind.Ce,
        "poft" => ObjectiveKind.Poft,
        "bi-poft" => ObjectiveKind.BiPoft,
        _ => throw new ArgumentException($"--objective '{text}': expected ce, poft or bi-poft"),
    };
}
