using PoFT.Shared.Manifest;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Experiment.Report;
using PoFT.Hybrid.Config;
using PoFT.Shared;
using PoFT.Shared.Data;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Experiment;

/// <summary>The preference data the DPO stage trains and evaluates on, and the clean test questions.</summary>
public sealed record DpoData(string TrainPairs, string TestPairs, string TestQuestions);

/// <summary>
/// The paper's last experiment in small (docs/demo.md, <c>--dpo</c>): DPO on WordNet preference pairs from the
/// CE-trained and from the PoFT-trained target of one noise level, seed by seed, each against itself as the
/// reference (exported to ONNX and scored online). Held-out numbers before DPO are its evaluation at step 0.
/// A run whose configuration is unchanged is reused, so an interrupted stage continues where it stopped.
/// </summary>
/// <param name="train">Runs one training configuration, with its title for the progress display.</param>
internal sealed class DpoStage(ExperimentPlan plan, Func<string, TrainConfig, CancellationToken, Task<TrainingSummary>> train, Action<string> log)
{
    /// <summary>The targets DPO starts from: the baseline and PoFT, without the hard filter.</summary>
    public static IReadOnlyList<string> Starts { get; } = [ObjectiveLabels.Ce, ObjectiveLabels.Poft];

    public int Trained { get; private set; }

    /// <param name="start">The final checkpoint of the target run of a label and seed.</param>
    public async Task<List<DpoResult>> RunAsync(string root, DpoData data, double noise, int seeds, Func<string, int, string> start, CancellationToken stop)
    {
        var results = new List<DpoResult>();
        for (var seed = 1; seed <= seeds; seed++)
            foreach (var label in Starts)
            {
                log($"DPO {results.Count + 1}/{seeds * Starts.Count}: from the {label} target of noise {noise:0.0#}, seed {seed}");
                var result = await Run(Path.Combine(root, $"seed-{seed}", label), start(label, seed), data, label, noise, seed, stop);
                log($"  held-out preference accuracy {result.Before.PreferenceAccuracy:F3} → {result.After.PreferenceAccuracy:F3}, " +
                    $"CE {result.Before.HeldOutCe:F4} → {result.After.HeldOutCe:F4} ({result.Seconds:F0} s)");
                results.Add(result);
            }
        return results;
    }

    private async Task<DpoResult> Run(string directory, string checkpoint, DpoData data, string label, double noise, int seed, CancellationToken stop)
    {
        var options = new TrainingOptions
        {
            Objective = ObjectiveKind.Dpo,
            Beta = plan.DpoBeta,
            LearningRate = plan.Dpo.LearningRate,
            BatchSize = plan.Dpo.BatchSize,
            Epochs = plan.Dpo.Epochs,
            WarmupRatio = 0.1,
            ClipNorm = 1.0,
            Seed = seed,
            EvalOnStart = true,
        };
        var description = new JsonObject
        {
            ["start"] = FileHash.Sha256OfFolder(checkpoint),
            ["train"] = FileHash.Sha256(data.TrainPairs),
            ["test_pairs"] = FileHash.Sha256(data.TestPairs),
            ["test"] = FileHash.Sha256(data.TestQuestions),
            ["options"] = JsonSerializer.SerializeToNode(options, TrainerState.Json),
        }.ToJsonString();
        var (descriptionFile, resultFile) = (Path.Combine(directory, "run.json"), Path.Combine(directory, "result.json"));
        if (File.Exists(descriptionFile) && File.ReadAllText(descriptionFile) == description && File.Exists(resultFile))
            return JsonSerializer.Deserialize<DpoResult>(File.ReadAllText(resultFile), ExperimentResults.Json)!;

        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        var clock = Stopwatch.StartNew();
        var config = new TrainConfig
        {
            Model = checkpoint,
            Template = new ChatTemplateSpec(plan.TargetTemplate),
            MaxLength = plan.MaxLength,
            TrainData = data.TrainPairs,
            EvalData = data.TestQuestions,
            EvalPreferenceData = data.TestPairs,
            Output = Path.Combine(directory, "run"),
            Training = options,
        };
        await train($"DPO from {label}, seed {seed}", config, stop);
        Trained++;
        var evals = RunMetrics.Read(Path.Combine(config.Output, MetricsLog.FileName)).Evals;
        var result = new DpoResult(label, noise, seed, Point(evals[0]), Point(evals[^1]), clock.Elapsed.TotalSeconds, PreferenceDataSet.Read(data.TrainPairs).Pairs.Count);
        AtomicFile.WriteAllText(resultFile, JsonSerializer.Serialize(result, ExperimentResults.Json));
        AtomicFile.WriteAllText(descriptionFile, description);
        return result;
    }

    private static DpoPoint Point(EvalMetrics eval)
    {
        var preference = eval.Preference ?? throw new FormatException($"the evaluation at step {eval.Step} has no preference metrics");
        return new DpoPoint(eval.HeldOutCe ?? throw new FormatException($"the evaluation at step {eval.Step} has no held-out CE"),
            preference.LogpsAccuracies, preference.RewardsAccuracies, preference.RewardsMargins, eval.PreferenceLoss!.Value);
    }
}
