using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Shared.Data;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Hybrid;

/// <summary>What a training run does with its directory and its inputs before any work: a run never
/// writes into another run's directory unasked, a target template its tokenizer cannot render fails at
/// once, a run without aligned models resumes, and a stop while scoring leaves nothing half-done.</summary>
public sealed class RunDirectoryTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Config(string output, string? manifest, string family = ChatTemplateSpec.Llama3, int checkpointEvery = 0)
    {
        var data = _temp.File("train.jsonl");
        if (!File.Exists(data))
            SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(12, seed: 4));
        var path = _temp.File($"train-{Guid.NewGuid():N}.json");
        var config = new JsonObject
        {
            ["model"] = Path.Combine(models.Root, "llama-b"),
            ["template"] = new JsonObject { ["family"] = family },
            ["max_length"] = 256,
            ["train_data"] = data,
            ["eval_data"] = data,
            ["output"] = output,
            ["training"] = new JsonObject { ["objective"] = "ce", ["batch_size"] = 4, ["max_steps"] = 2, ["checkpoint_every"] = checkpointEvery },
        };
        if (manifest is not null)
            config["manifest"] = manifest;
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static Task<TrainingSummary> Run(string config, string? resume = null, bool overwrite = false, CancellationToken stop = default) =>
        OnlineTraining.RunAsync(TrainConfig.Load(config), resume, progress: null, stop, note: _ => { }, overwrite: overwrite);

    /// <summary>A save stopped after writing its trainer state leaves step-N.{guid}.partial, which the trainer deletes as it
    /// starts: the checkpoint to resume is the newest complete one, not the leftover (DoubleSignalTests found it resumed).</summary>
    [Fact]
    public void A_save_interrupted_after_its_trainer_state_is_a_leftover_not_the_checkpoint_to_resume()
    {
        var output = _temp.Sub("leftover");
        var complete = PoftTrainer.StepCheckpoint(output, 2);
        var leftover = $"{PoftTrainer.StepCheckpoint(output, 4)}.{Guid.NewGuid():N}.partial";
        foreach (var directory in new[] { complete, leftover })
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, TrainerState.FileName), "{}");
        }

        Assert.Equal((RunDirectory.Holding.Resumable, complete), RunDirectory.Inspect(output));
    }

    [Fact]
    public async Task A_new_run_into_a_directory_holding_a_run_is_refused_unless_overwrite_is_given()
    {
        var output = _temp.Sub("run");
        var config = Config(output, manifest: null);
        var first = await Run(config);
        var written = File.GetLastWriteTimeUtc(Path.Combine(first.CheckpointDirectory, "model.safetensors"));

        var error = await Assert.ThrowsAsync<IOException>(() => Run(config));
        Assert.Contains($"already holds a finished run ({first.CheckpointDirectory}, with no step checkpoint of its last step to train it further from: " +
            "checkpoint_every was 0);", error.Message);
        Assert.Contains("--overwrite", error.Message);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(first.CheckpointDirectory, "model.safetensors")));

        var metricsBefore = File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Length;
        await Run(config, overwrite: true);
        Assert.Equal(metricsBefore, File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Length);
    }

    [Fact]
    public async Task A_new_run_into_a_finished_run_is_told_to_resume_its_last_step_checkpoint_to_train_further()
    {
        var output = _temp.Sub("run");
        var config = Config(output, manifest: null, checkpointEvery: 5);
        var first = await Run(config);
        var error = await Assert.ThrowsAsync<IOException>(() => Run(config));
        var last = PoftTrainer.StepCheckpoint(output, 2);
        Assert.Contains($"already holds a finished run ({first.CheckpointDirectory}); train it further with --resume {last} and a larger --max-steps", error.Message);
        Assert.True(File.Exists(Path.Combine(last, TrainerState.OptimizerFile)));
    }

    [Fact]
    public async Task A_target_template_its_tokenizer_cannot_render_fails_before_anything_starts()
    {
        var output = Path.Combine(_temp.Path, "run");
        var manifest = models.Manifest("early-manifest.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3));
        // chatml's <|im_start|> is not in the Llama-3 vocabulary of the target.
        var config = Config(output, manifest, family: ChatTemplateSpec.ChatMl);
        var error = await Assert.ThrowsAsync<FormatException>(() => Run(config));
        Assert.StartsWith($"{config}: field 'template': 'chatml'", error.Message);
        Assert.False(Directory.Exists(Path.Combine(output, PoftTrainer.CheckpointsFolder)));
    }

    [Fact]
    public async Task A_ce_run_without_aligned_models_resumes()
    {
        var output = _temp.Sub("run");
        var config = Config(output, manifest: null, checkpointEvery: 1);
        await Run(config);
        var resumed = await Run(config, resume: Path.Combine(output, PoftTrainer.CheckpointsFolder, "step-000001"));
        Assert.Equal(2, resumed.Steps);
    }

    [Fact]
    public async Task A_stop_while_the_scorer_scores_ends_quietly_with_no_checkpoint()
    {
        var output = Path.Combine(_temp.Path, "run");
        var manifest = models.Manifest("stop-manifest.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3));
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Config(output, manifest), stop: stop.Token));
        Assert.False(Directory.Exists(Path.Combine(output, PoftTrainer.CheckpointsFolder)));

        // Nothing to resume there: a plain retry (no --resume, no --overwrite) runs.
        Assert.Equal(2, (await Run(Config(output, manifest))).Steps);
    }

    [Fact]
    public async Task A_directory_a_run_left_before_its_first_checkpoint_is_reused_by_a_plain_retry()
    {
        var output = _temp.Sub("run");
        Directory.CreateDirectory(Path.Combine(output, PoftTrainer.CheckpointsFolder));
        File.WriteAllText(Path.Combine(output, MetricsLog.FileName), "{\"kind\":\"step\",\"step\":1}\n{\"kind\":\"step\",\"step\":2}\n{\"kind\":\"step\",\"step\":3}\n");
        // What else a run writes from its first step: TensorBoard's event file and the held-out answers.
        Directory.CreateDirectory(Path.Combine(output, "logs"));
        File.WriteAllText(Path.Combine(output, "logs", "events.out.tfevents.1.host.1.1"), "");
        File.WriteAllText(Path.Combine(output, "samples.jsonl"), "");
        var notes = new List<string>();

        var summary = await OnlineTraining.RunAsync(TrainConfig.Load(Config(output, manifest: null)), resume: null, progress: null, default, note: notes.Add);

        Assert.Equal(2, summary.Steps);
        Assert.Contains(notes, n => n.Contains("stopped before its first checkpoint (nothing to resume): starting it again", StringComparison.Ordinal));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Count(l => l.Contains("\"kind\":\"step\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_retry_into_a_stopped_run_is_told_to_resume_its_newest_checkpoint_which_exists()
    {
        var output = _temp.Sub("run");
        var config = Config(output, manifest: null, checkpointEvery: 1);
        await Run(config);
        Directory.Delete(Path.Combine(output, "final"), recursive: true);

        var error = await Assert.ThrowsAsync<IOException>(() => Run(config));
        var newest = Path.Combine(output, PoftTrainer.CheckpointsFolder, "step-000002");
        Assert.Contains($"already holds a run; continue it with --resume {newest},", error.Message);
        Assert.True(File.Exists(Path.Combine(newest, TrainerState.FileName)));
    }

    [Fact]
    public async Task A_new_run_into_a_directory_of_other_files_is_refused_and_leaves_them()
    {
        var output = _temp.Sub("run");
        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");
        var error = await Assert.ThrowsAsync<IOException>(() => Run(Config(output, manifest: null)));
        Assert.Contains("holds files that are not a run's; choose another output, or replace what it holds with --overwrite", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(output, "notes.txt")));
    }

    [Fact]
    public async Task Resuming_a_finished_run_says_it_is_complete_and_writes_nothing()
    {
        var output = _temp.Sub("run");
        var config = Config(output, manifest: null);
        var first = await Run(config);
        var metrics = File.ReadAllText(Path.Combine(output, MetricsLog.FileName));
        var written = File.GetLastWriteTimeUtc(Path.Combine(first.CheckpointDirectory, "model.safetensors"));

        var again = await Run(config, resume: first.CheckpointDirectory);

        Assert.True(again.AlreadyComplete);
        Assert.Equal((2, first.CheckpointDirectory), (again.Steps, again.CheckpointDirectory));
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(output, MetricsLog.FileName)));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(first.CheckpointDirectory, "model.safetensors")));
    }
}
