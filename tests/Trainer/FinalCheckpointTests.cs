using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Exporter;
using PoFT.Generation;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Tests.Export;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Trainer;

/// <summary>What a finished run leaves: final/ is the model without the optimizer's state (as Hugging Face's
/// <c>save_model</c>), and with <c>checkpoint_every</c> set, checkpoints/step-N/ of its last step keeps that state, so
/// the run trains further exactly from there; final/ itself is refused for that, never continued with AdamW restarted.</summary>
[Collection(SerialCollection.Name)]
public sealed class FinalCheckpointTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly LoraRuns _runs;

    public FinalCheckpointTests() => _runs = new LoraRuns(_temp);

    public void Dispose() => _temp.Dispose();

    /// <summary>Full fine-tuning (CE) of the tiny base (3 steps an epoch), at a constant learning rate: a run of N steps then M more
    /// follows the same schedule as one of N + M.</summary>
    private static TrainingOptions Full => LoraRuns.Options with { Lora = null, LearningRate = 3e-3, MinLrRatio = 1, Epochs = 3 };

    private static bool HasOptimizer(string checkpoint) => File.Exists(Path.Combine(checkpoint, TrainerState.OptimizerFile));

    private static string Step(string output, int step) => PoftTrainer.StepCheckpoint(output, step);

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    [InlineData(0)]
    public async Task A_finished_run_writes_final_without_optimizer_state_and_its_last_step_checkpoint_with_it(int checkpointEvery)
    {
        var output = _temp.Sub("run");
        var summary = await _runs.Train(output, Full with { MaxSteps = 4, CheckpointEvery = checkpointEvery });

        var final = Path.Combine(output, PoftTrainer.FinalFolder);
        Assert.Equal(final, summary.CheckpointDirectory);
        Assert.False(HasOptimizer(final));
        Assert.All([Checkpoint.ConfigFile, Checkpoint.SingleFile, "tokenizer.json", TrainerState.FileName], f => Assert.True(File.Exists(Path.Combine(final, f)), f));
        var written = Directory.Exists(Path.Combine(output, PoftTrainer.CheckpointsFolder))
            ? Directory.GetDirectories(Path.Combine(output, PoftTrainer.CheckpointsFolder)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()
            : [];
        if (checkpointEvery == 0)
        {
            Assert.Empty(written);
            Assert.Null(summary.ResumeCheckpoint);
            return;
        }
        // The periodic ones, and the last step's whether or not the period falls on it.
        Assert.Equal(checkpointEvery == 3 ? ["step-000003", "step-000004"] : ["step-000002", "step-000004"], written);
        Assert.Equal(Step(output, 4), summary.ResumeCheckpoint);
        Assert.All(written, w => Assert.True(HasOptimizer(Path.Combine(output, PoftTrainer.CheckpointsFolder, w!)), w));
        Assert.Equal(4, TrainerState.Load(Step(output, 4)).Step);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Step(output, 4), Checkpoint.SingleFile)), File.ReadAllBytes(Path.Combine(final, Checkpoint.SingleFile)));
    }

    [Fact]
    public async Task Resuming_final_with_steps_left_is_refused_naming_the_last_step_checkpoint_and_at_its_last_step_is_complete()
    {
        var output = _temp.Sub("run");
        var final = (await _runs.Train(output, Full with { MaxSteps = 4, CheckpointEvery = 3 })).CheckpointDirectory;
        var metrics = File.ReadAllText(Path.Combine(output, MetricsLog.FileName));

        Assert.True((await _runs.Train(output, Full with { MaxSteps = 4, CheckpointEvery = 3 }, resume: final)).AlreadyComplete);
        var error = await Assert.ThrowsAsync<CheckpointNotResumableException>(() => _runs.Train(output, Full with { MaxSteps = 6, CheckpointEvery = 3 }, resume: final));
        Assert.Contains($"--resume {final}: it holds no optimizer state", error.Message);
        Assert.Contains($"resume from {Step(output, 4)}, the run's checkpoint of the same step 4", error.Message);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(output, MetricsLog.FileName)));
        Assert.False(HasOptimizer(final));
    }

    [Fact]
    public async Task Resuming_final_of_a_run_that_kept_no_step_checkpoint_is_refused_saying_so()
    {
        var output = _temp.Sub("run");
        var final = (await _runs.Train(output, Full with { MaxSteps = 2 })).CheckpointDirectory;
        var error = await Assert.ThrowsAsync<CheckpointNotResumableException>(() => _runs.Train(output, Full with { MaxSteps = 3 }, resume: final));
        Assert.Contains($"the run kept no step checkpoint of step 2 ({Step(output, 2)}; checkpoint_every 0 writes none at the end)", error.Message);
        Assert.Contains($"--model {final}", error.Message);
    }

    [Fact]
    public async Task Training_further_from_the_last_step_checkpoint_equals_an_uninterrupted_longer_run()
    {
        var straight = _temp.Sub("straight");
        await _runs.Train(straight, Full with { MaxSteps = 4, EvalEvery = 1 });

        // checkpoint_every 5 never falls on steps 1–2: the step-2 checkpoint is the one written at the run's end.
        var split = _temp.Sub("split");
        var first = await _runs.Train(split, Full with { MaxSteps = 2, CheckpointEvery = 5, EvalEvery = 1 });
        Assert.Equal(Step(split, 2), first.ResumeCheckpoint);
        var further = await _runs.Train(split, Full with { MaxSteps = 4, CheckpointEvery = 5, EvalEvery = 1 }, resume: first.ResumeCheckpoint);
        Assert.Equal(4, further.Steps);

        Assert.Equal(Losses(straight, "step", "loss"), Losses(split, "step", "loss"));
        Assert.Equal(Losses(straight, "eval", "held_out_ce"), Losses(split, "eval", "held_out_ce"));
        // AdamW's moments came back with the step checkpoint: restarted from zero, steps 3–4 would move the weights otherwise.
        using var expected = Checkpoint.Open(Path.Combine(straight, PoftTrainer.FinalFolder));
        using var actual = Checkpoint.Open(Path.Combine(split, PoftTrainer.FinalFolder));
        Assert.All(ExpectedTensors.For(LoraRuns.Config), spec => Assert.Equal(expected.ReadFloat32(spec.Name), actual.ReadFloat32(spec.Name)));
    }

    [Fact]
    public async Task Final_without_optimizer_state_generates_scores_and_exports_as_the_trained_model()
    {
        var output = _temp.Sub("run");
        var options = Full with { MaxSteps = 2 };
        int[] prompt = [5, 17, 3, 42];
        IReadOnlyList<int> trainedAnswer;
        using (var model = _runs.Load(options))
        {
            await _runs.Trainer(model, output, options).RunAsync(null, null, CancellationToken.None);
            trainedAnswer = Greedy(model, prompt);
        }
        var final = Path.Combine(output, PoftTrainer.FinalFolder);
        Assert.False(HasOptimizer(final));

        // generate (CheckpointChat loads through ModelCheckpoint.Load), eval and score --backend torch (TorchTokenLogProbModel), export.
        using (var loaded = ModelCheckpoint.Load(final, Placement.Cpu))
            Assert.Equal(trainedAnswer, Greedy(loaded, prompt));
        var torch = new float[prompt.Length - 1];
        using (var scorer = TorchTokenLogProbModel.Load(final, Placement.Cpu))
            scorer.TokenLogProbs(prompt.Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, prompt.Length).ToArray(), default, 1, prompt.Length, torch);
        var onnx = _temp.Sub("onnx");
        LlamaOnnxExporter.Export(final, onnx, new ExportOptions());
        using var exported = new ExportedModel(Path.Combine(onnx, ScoringGraph.ModelFile));
        var ort = exported.Run([prompt])["token_logprobs"];
        for (var t = 0; t < torch.Length; t++)
            Assert.Equal(torch[t], ort[0, t], 1e-4);
    }

    [Fact]
    public async Task A_LoRA_runs_final_holds_the_adapter_without_optimizer_state_and_merges()
    {
        var output = _temp.Sub("lora");
        var summary = await _runs.Train(output, LoraRuns.Options with { MaxSteps = 2, CheckpointEvery = 5 });
        Assert.False(HasOptimizer(summary.CheckpointDirectory));
        Assert.True(Checkpoint.IsAdapter(summary.CheckpointDirectory));
        Assert.True(HasOptimizer(summary.ResumeCheckpoint!));

        var merged = _temp.Sub("merged");
        LoraMerge.Merge(summary.CheckpointDirectory, merged);
        using var adapter = ModelCheckpoint.Load(summary.CheckpointDirectory, Placement.Cpu);
        using var whole = ModelCheckpoint.Load(merged, Placement.Cpu);
        Assert.Equal(Greedy(adapter, [5, 17, 3]), Greedy(whole, [5, 17, 3]));
    }

    private static IReadOnlyList<int> Greedy(LlamaForCausalLM model, int[] prompt) =>
        new TokenGenerator(model).Generate(prompt, SamplingOptions.Greedy(6), new StopRule([], null, _ => "")).Tokens;

    private static List<double> Losses(string output, string kind, string field) =>
        [.. File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Select(l => JsonNode.Parse(l)!)
            .Where(r => r["kind"]!.GetValue<string>() == kind).Select(r => r[field]!.GetValue<double>())];
}
