using PoFT.Scorer.Quality;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PoFT.Experiment;
using PoFT.Experiment.Report;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Scorer.Benchmarks;
using PoFT.Scorer.Manifest;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Tests.Support;

namespace PoFT.Tests.Experiment;

/// <summary>The demo's --quick mode end to end on real WordNet data: every stage runs, the report and its
/// plots carry numbers, a second run reuses the cached models and the finished runs, and
/// configs/train.example.json trains as-is on what the demo wrote.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
[Collection(SerialCollection.Name)]
public sealed partial class QuickDemoTests : IDisposable
{
    private static readonly string[] Objectives = ["ce", "poft", "bi-poft", "ce+keep-top", "poft+keep-top", "ce+keep-top-ifd", "poft+keep-top-ifd", "dft"];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [GeneratedRegex(@"\d+\.\d{2,}")]
    private static partial Regex Decimal();

    [Fact]
    public async Task Quick_demo_writes_a_report_with_numbers_and_plots_a_second_run_reuses_its_work_and_the_example_config_trains_on_it()
    {
        var settings = new DemoSettings(_temp.Sub(Path.Combine("runs", "demo")), _temp.Sub("cache"), RepoPaths.Assets, Seeds: 1, NoiseLevels: [0.4], Quick: true, Command: "test", Dpo: true, Baselines: true);
        var results = await new NoiseExperiment(settings).RunAsync(CancellationToken.None);

        Assert.Equal(Objectives, results.Runs.Select(r => r.Objective));
        foreach (var run in results.Runs)
        {
            Assert.Equal(Enumerable.Range(0, ExperimentPlan.Quick.TargetTraining.Epochs + 1), run.Epochs.Select(e => e.Epoch));
            Assert.All(run.Epochs, e => Assert.True(double.IsFinite(e.HeldOutCe) && e.HeldOutCe > 0));
            // Fine-tuning on definitions lowers the held-out CE of a base model that never saw the question format —
            // for the objectives that maximise the likelihood. DFT does not: it weighs each token's log-likelihood by the
            // token's own probability, so tokens the model finds unlikely barely count, and at this size and the demo's
            // untuned lr (1e-3) its held-out CE rose (8.98 from 7.32), a result the report shows rather than a fault.
            if (run.Objective != "dft")
                Assert.True(run.Epochs[^1].HeldOutCe < run.Epochs[0].HeldOutCe, $"{run.Objective}: {run.Epochs[^1].HeldOutCe} !< {run.Epochs[0].HeldOutCe}");
        }
        var poft = results.Runs.Single(r => r.Objective == "poft");
        Assert.All(poft.Epochs.Skip(1), e => Assert.InRange(e.TauClean!.Value, 0.0, 1.0));
        Assert.All(poft.Epochs.Skip(1), e => Assert.InRange(e.TauNoise!.Value, 0.0, 1.0));

        // Randomly matched, corrupted responses score lower with the aligned models than clean ones.
        var scores = Assert.Single(results.ReferenceScores);
        Assert.Equal((int)Math.Round(ExperimentPlan.Quick.CleanTrainSamples * 0.4 / 0.6), scores.NoiseScores.Count);
        Assert.True(RocAuc.Of(scores.CleanScores, scores.NoiseScores) > 0.75);

        // DPO from the CE and the PoFT target: before it the policy is its own reference (loss log 2, no margin).
        Assert.Equal(["ce", "poft"], results.Dpo!.Select(d => d.Start));
        foreach (var run in results.Dpo!)
        {
            Assert.Equal(Math.Log(2), run.Before.PreferenceLoss, 1e-4);
            Assert.Equal(0, run.Before.RewardMargin, 1e-4);
            Assert.Equal(results.Runs.Single(r => r.Objective == run.Start).Epochs[^1].HeldOutCe, run.Before.HeldOutCe, 1e-4);
            Assert.All([run.Before.PreferenceAccuracy, run.After.PreferenceAccuracy, run.After.RewardAccuracy], a => Assert.InRange(a, 0, 1));
            Assert.NotEqual(run.Before.HeldOutCe, run.After.HeldOutCe);
        }

        var output = settings.Output;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "models-manifest.json")))!["models"]!.AsArray();
        Assert.Equal(2, manifest.Count);
        Assert.Equal(2, manifest.Select(m => m!["tokenizer"]!["kind"]!.GetValue<string>()).Distinct().Count());
        Assert.All(manifest, m => Assert.True(File.Exists(Path.Combine(output, m!["onnx"]!.GetValue<string>()))));
        Assert.True(File.Exists(Path.Combine(output, "target-onnx", "model.onnx")));

        var report = File.ReadAllText(Path.Combine(output, "report", "report.md"));
        foreach (var objective in Objectives)
            Assert.Contains(report.Split('\n'), line => line.StartsWith($"| {ObjectiveLabels.Display(objective)} |", StringComparison.Ordinal) && Decimal().IsMatch(line));
        Assert.Contains("AUC", report);
        // The filters' catch: both rankings of one score file, each dropping the same 30 % share, counted against the marks.
        var filters = results.Filters!;
        Assert.Equal(["rbar", "ifd"], filters.Select(f => f.By));
        var train = SftDataSet.Read(Path.Combine(settings.Output, "runs", "noise-0.4", "seed-1", "train.jsonl")).Samples;
        Assert.All(filters, f =>
        {
            Assert.Equal(train.Count - (int)Math.Ceiling(train.Count * 0.7), f.Removed);
            Assert.Equal(train.Count(s => s.IsNoise), f.NoiseTotal);
            Assert.InRange(f.NoiseRemoved, 0, Math.Min(f.Removed, f.NoiseTotal));
        });
        Assert.Contains("## Which filter catches the noise", report);
        await Multiple_choice_accuracies_are_measured_before_and_after_and_ONNX_Runtime_agrees(results, settings.Output, report);
        foreach (var image in Regex.Matches(report, @"\]\(([^)]+\.png)\)").Select(m => m.Groups[1].Value))
        {
            var bytes = File.ReadAllBytes(Path.Combine(output, "report", image));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            Assert.True(bytes.Length > 10_000, $"{image}: {bytes.Length} bytes is too small for a plot");
        }
        Assert.Equal(results.Runs.Count, ExperimentResults.Load(Path.Combine(output, "report", ExperimentResults.FileName)).Runs.Count);

        var trained = Path.Combine(output, "runs", "noise-0.4", "seed-1", "poft", "final", "model.safetensors");
        var writtenAt = File.GetLastWriteTimeUtc(trained);
        var again = await new NoiseExperiment(settings).RunAsync(CancellationToken.None);
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(trained));
        Assert.All(again.Stages.Where(s => s.Stage.StartsWith("base", StringComparison.Ordinal) || s.Stage.StartsWith("aligned", StringComparison.Ordinal)),
            s => Assert.True(s.Cached, $"{s.Stage} was rebuilt"));
        Assert.Equal(results.Runs.Select(r => r.Epochs[^1].HeldOutCe), again.Runs.Select(r => r.Epochs[^1].HeldOutCe));
        Assert.Equal(results.Dpo!.Select(d => d.After), again.Dpo!.Select(d => d.After));
        Assert.Contains(again.Stages, s => s.Stage == "DPO runs (0 trained, 2 reused)");

        await The_example_config_trains_as_is_on_what_the_demo_wrote();
        await The_DPO_example_config_trains_as_is_on_what_the_demo_wrote();
    }

    /// <summary>Every run carries the base model's and its own accuracy on the held-out multiple-choice task; the exported
    /// PoFT target (noise 0.4, seed 1), scored by ONNX Runtime through <c>eval</c>'s code, gives the accuracy its TorchSharp
    /// checkpoint gave in the run (a near-tie may flip one question between backends), and the report has the table.</summary>
    private static async Task Multiple_choice_accuracies_are_measured_before_and_after_and_ONNX_Runtime_agrees(ExperimentResults results, string output, string report)
    {
        var before = results.Runs[0].ChoicesBefore!;
        Assert.All(results.Runs, r => Assert.Equal(before, r.ChoicesBefore));
        Assert.All(results.Runs, r => Assert.InRange(r.ChoicesAfter!.Acc, 0, 1));
        Assert.All(results.Runs, r => Assert.InRange(r.ChoicesAfter!.AccNorm, 0, 1));
        Assert.True(results.Runs.Select(r => r.ChoicesAfter!.Acc).Append(before.Acc).Distinct().Count() > 1, "every model chose the same");

        var task = MultipleChoiceTask.Read(Path.Combine(output, "data", "choices-test.jsonl"));
        Assert.Equal(ExperimentPlan.Quick.TestSamples, task.Questions.Count);
        var (model, backend) = EvalModel.Onnx(Path.Combine(output, "target-onnx"), "cpu", threads: 1);
        BenchmarkEvaluation onnx;
        using (model.Model)
            onnx = await BenchmarkEvaluation.RunAsync("target-onnx", backend, model, [task]);
        var poft = results.Runs.Single(r => r.Objective == "poft").ChoicesAfter!;
        Assert.Equal(poft.Acc, onnx.Overall.Acc, 1.0 / task.Questions.Count + 1e-9);
        Assert.Equal(poft.AccNorm, onnx.Overall.AccNorm, 1.0 / task.Questions.Count + 1e-9);
        Assert.Contains("## Held-out multiple choice", report);
    }

    /// <summary>configs/dpo.example.json, beside the demo's output as in the repository, runs DPO from the demo's
    /// PoFT target for a couple of steps unchanged, its reference exported and scored online.</summary>
    private async Task The_DPO_example_config_trains_as_is_on_what_the_demo_wrote()
    {
        var config = Path.Combine(_temp.Sub("configs"), "dpo.example.json");
        File.Copy(Path.Combine(RepoPaths.Root, "configs", "dpo.example.json"), config);
        var maxSteps = TrainOptions.All.Single(o => o.Flag == "--max-steps");
        var summary = await OnlineTraining.RunAsync(TrainConfig.Load(config, new Dictionary<TrainOption, string> { [maxSteps] = "2" }),
            resume: null, progress: null, CancellationToken.None, note: _ => { });
        Assert.Equal(2, summary.Steps);
        var run = Path.Combine(_temp.Path, "runs", "dpo-example");
        Assert.True(File.Exists(Path.Combine(run, "reference", "model.onnx")));
        var evals = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).Where(n => n["kind"]!.GetValue<string>() == "eval").ToList();
        Assert.Equal(Math.Log(2), evals[0]["preference_loss"]!.GetValue<double>(), 1e-4);
        Assert.InRange(summary.FinalEval!.Preference!.LogpsAccuracies, 0, 1);
    }

    /// <summary>configs/train.example.json and the repository's models-manifest.json, copied beside the demo's
    /// output as they sit beside runs/demo in the repository, train for a couple of steps unchanged.</summary>
    private async Task The_example_config_trains_as_is_on_what_the_demo_wrote()
    {
        var config = Path.Combine(_temp.Sub("configs"), "train.example.json");
        File.Copy(Path.Combine(RepoPaths.Root, "configs", "train.example.json"), config);
        File.Copy(Path.Combine(RepoPaths.Root, "models-manifest.json"), _temp.File("models-manifest.json"));
        var maxSteps = TrainOptions.All.Single(o => o.Flag == "--max-steps");
        var loaded = TrainConfig.Load(config, new Dictionary<TrainOption, string> { [maxSteps] = "2" });

        var summary = await OnlineTraining.RunAsync(loaded, resume: null, progress: null, CancellationToken.None, note: _ => { });

        Assert.Equal(2, summary.Steps);
        Assert.Equal(Path.Combine(_temp.Path, "runs", "train-example", "final"), summary.CheckpointDirectory);
        Assert.True(File.Exists(Path.Combine(summary.CheckpointDirectory, "model.safetensors")));
        var steps = File.ReadAllLines(Path.Combine(_temp.Path, "runs", "train-example", "metrics.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(n => n["kind"]!.GetValue<string>() == "step").ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.InRange(s["tau_mean"]!.GetValue<double>(), 0, 1));
        Assert.True(double.IsFinite(summary.FinalEval!.HeldOutCe!.Value));

        // What inspect shows for the repository's manifest and the example config: every model scores every sample.
        var sample = SftDataSet.Read(loaded.TrainData).Samples[0];
        var manifest = ModelsManifest.Load(_temp.File("models-manifest.json"));
        var warnings = new List<string>();
        foreach (var (name, chat) in AlignedModelSet.OpenTokenizations(manifest, warnings.Add).Append(("target", OnlineTraining.TargetTokenization(loaded, loaded.Model))))
            Assert.True(chat.Inspect(sample).ResponseTokens > 0, name);
        // aligned-llama3 scores with its own template (auto): nothing to warn about.
        Assert.Empty(warnings);
    }
}
