using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Shared.Data;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Hybrid;

/// <summary>
/// <c>train --resume</c> with values that differ from the run's: each flag is applied or refused as its
/// declaration says (docs/training.md), never ignored; other data or another manifest — even under the
/// same path — is refused before anything is trained.
/// </summary>
public sealed class ResumeTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A value different from the test run's for every flag: a new option must be added here.</summary>
    private Dictionary<string, string> ChangedValues() => new()
    {
        ["--model"] = Path.Combine(models.Root, "llama"),
        ["--max-length"] = "200",
        ["--truncation"] = "error",
        ["--train-data"] = WriteData("other-train.jsonl", 20, seed: 11),
        ["--data-format"] = "messages",
        ["--data-columns"] = """{"id": "uid"}""",
        ["--max-record-mb"] = "8",
        ["--skip-bad"] = "true",
        ["--eval-data"] = WriteData("other-eval.jsonl", 4, seed: 12),
        ["--manifest"] = models.Manifest("other-manifest.json", AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl)),
        ["--scores"] = WriteData("scores.jsonl", 1, seed: 13),
        ["--output"] = _temp.Sub("elsewhere"),
        ["--device"] = "cuda",
        ["--dtype"] = "bfloat16",
        ["--scorer-threads"] = "2",
        ["--objective"] = "ce",
        ["--beta"] = "2",
        ["--gamma"] = "0.5",
        ["--r-theta-scope"] = "all",
        ["--lr"] = "0.5",
        ["--weight-decay"] = "0.1",
        ["--warmup-ratio"] = "0.2",
        ["--min-lr-ratio"] = "0.1",
        ["--batch-size"] = "4",
        ["--grad-accum"] = "2",
        ["--clip-norm"] = "0.5",
        ["--epochs"] = "3",
        ["--max-steps"] = "4",
        ["--seed"] = "9",
        ["--eval-every"] = "1",
        ["--checkpoint-every"] = "1",
        ["--keep-top"] = "70",
        ["--keep-top-by"] = "ifd",
        ["--eval-on-start"] = "true",
        ["--eval-samples"] = "2",
        ["--logits-chunk"] = "64",
        ["--gradient-checkpointing"] = "true",
        ["--padding-free"] = "false",
        ["--tensorboard"] = "false",
        ["--lora"] = "{\"r\": 4}",
        ["--loss-type"] = "ipo",
        ["--label-smoothing"] = "0.1",
        ["--eval-preference-data"] = WriteData("preferences.jsonl", 2, seed: 14),
        ["--ref-model"] = Path.Combine(models.Root, "llama-b-onnx"),
        ["--ref-scores"] = WriteData("ref-scores.jsonl", 1, seed: 15),
        ["--eval-ref-scores"] = WriteData("eval-ref-scores.jsonl", 1, seed: 16),
    };

    private static IEnumerable<TrainOption> Flagged => TrainOptions.All.Where(o => o.Flag is not null);

    [Fact]
    public void Every_flag_has_a_changed_value_in_this_test() =>
        Assert.Equal(Flagged.Select(o => o.Flag!).Order(), ChangedValues().Keys.Order());

    [Fact]
    public async Task Each_changed_flag_on_resume_is_applied_or_refused_as_declared()
    {
        var (config, checkpoint) = await TrainedRun();
        var changed = ChangedValues();
        foreach (var option in Flagged)
        {
            var overrides = new Dictionary<TrainOption, string> { [option] = changed[option.Flag!] };
            var requested = TrainConfig.Load(config, overrides);
            var notes = new List<string>();
            var check = () => ResumeRules.Check(requested, ResumeRules.Inputs(requested), checkpoint, TrainerState.Load(checkpoint), overrides.Keys.ToHashSet(), notes.Add);
            if (option.OnResume == OnResume.Applied)
            {
                check();
                Assert.Contains(notes, n => n.Contains(option.Field, StringComparison.Ordinal));
            }
            else
            {
                var error = Assert.Throws<ArgumentException>(check);
                Assert.Contains($"{option.Flag} ", error.Message);
                Assert.Contains(checkpoint, error.Message);
                Assert.Empty(notes);
            }
        }
    }

    [Fact]
    public async Task An_applied_flag_takes_effect_and_a_refused_one_stops_the_resume_before_training()
    {
        var (config, checkpoint) = await TrainedRun();
        var maxSteps = TrainOptions.All.Single(o => o.Flag == "--max-steps");
        var summary = await OnlineTraining.RunAsync(TrainConfig.Load(config, new Dictionary<TrainOption, string> { [maxSteps] = "3" }), checkpoint,
            progress: null, CancellationToken.None, new HashSet<TrainOption> { maxSteps }, note: _ => { });
        Assert.Equal(3, summary.Steps);
        Assert.Equal(3, TrainerState.Load(summary.CheckpointDirectory).Options.MaxSteps);

        var lr = TrainOptions.All.Single(o => o.Flag == "--lr");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => OnlineTraining.RunAsync(
            TrainConfig.Load(config, new Dictionary<TrainOption, string> { [lr] = "0.5" }), checkpoint, null, CancellationToken.None, new HashSet<TrainOption> { lr }));
        Assert.Contains("--lr 0.5", error.Message);
        Assert.Contains("training.learning_rate", error.Message);
    }

    [Fact]
    public async Task A_config_file_edited_since_the_run_started_is_refused_naming_its_field()
    {
        var (config, checkpoint) = await TrainedRun();
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        json["training"]!["seed"] = 4;
        File.WriteAllText(config, json.ToJsonString());
        var error = await Assert.ThrowsAsync<ArgumentException>(() => OnlineTraining.RunAsync(TrainConfig.Load(config), checkpoint, null, CancellationToken.None));
        Assert.Contains("config field 'training.seed' 4", error.Message);
    }

    [Fact]
    public async Task Resuming_with_other_training_data_under_the_same_path_is_refused()
    {
        var (config, checkpoint) = await TrainedRun();
        WriteData("train.jsonl", 24, seed: 99);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => OnlineTraining.RunAsync(TrainConfig.Load(config), checkpoint, null, CancellationToken.None));
        Assert.Contains("config field 'train_data'", error.Message);
        Assert.Contains("content differs", error.Message);
    }

    [Fact]
    public async Task Resuming_with_another_manifest_is_refused()
    {
        var (config, checkpoint) = await TrainedRun();
        // The same file, edited: another aligned model beside the first (today's "Index was out of range").
        models.Manifest("resume-manifest.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3),
            AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => OnlineTraining.RunAsync(TrainConfig.Load(config), checkpoint, null, CancellationToken.None));
        Assert.Contains("config field 'manifest'", error.Message);
    }

    [Fact]
    public async Task A_checkpoint_without_a_record_of_its_inputs_is_refused_with_a_clear_error()
    {
        var (config, checkpoint) = await TrainedRun();
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, TrainerState.FileName)))!.AsObject();
        state.Remove("inputs");
        File.WriteAllText(Path.Combine(checkpoint, TrainerState.FileName), state.ToJsonString());
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => OnlineTraining.RunAsync(TrainConfig.Load(config), checkpoint, null, CancellationToken.None));
        Assert.Contains("no 'inputs'", error.Message);
    }

    [Fact]
    public async Task Final_of_a_finished_run_with_a_larger_max_steps_is_refused_naming_its_last_step_checkpoint()
    {
        var (config, checkpoint) = await TrainedRun();
        var final = Path.Combine(_temp.Sub("run"), PoftTrainer.FinalFolder);
        var maxSteps = TrainOptions.All.Single(o => o.Flag == "--max-steps");
        var error = await Assert.ThrowsAsync<CheckpointNotResumableException>(() => OnlineTraining.RunAsync(
            TrainConfig.Load(config, new Dictionary<TrainOption, string> { [maxSteps] = "3" }), final, null, CancellationToken.None, new HashSet<TrainOption> { maxSteps }, note: _ => { }));
        Assert.Contains($"resume from {checkpoint}, the run's checkpoint of the same step 2", error.Message);
        Assert.True((await OnlineTraining.RunAsync(TrainConfig.Load(config), final, null, CancellationToken.None, note: _ => { })).AlreadyComplete);
    }

    [Fact]
    public async Task The_trainer_state_holds_its_inputs_as_plain_JSON_values()
    {
        var (config, checkpoint) = await TrainedRun();
        foreach (var saved in new[] { checkpoint, Path.Combine(_temp.Sub("run"), PoftTrainer.FinalFolder) })
        {
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, TrainerState.FileName)))!.AsObject();
            Assert.Equal(TrainerState.CurrentVersion, state["state_version"]!.GetValue<int>());
            Assert.Equal(2, state["options"]!["batch_size"]!.GetValue<int>());
            var inputs = state["inputs"]!.AsObject();
            Assert.Equal(ChatTemplateSpec.Llama3, inputs["template"]!["family"]!.GetValue<string>());
            Assert.Equal(256, inputs["max_length"]!.GetValue<int>());
            Assert.False(inputs["skip_bad"]!.GetValue<bool>());
            Assert.Null(inputs["scores"]);
            Assert.Equal("sha256:" + PoFT.Shared.FileHash.Sha256(_temp.File("train.jsonl")), inputs["train_data"]!.GetValue<string>());
            // No string holds JSON text: each is a path, a name or a content hash.
            var strings = inputs.Select(kv => kv.Value).OfType<JsonValue>().Where(v => v.GetValueKind() == System.Text.Json.JsonValueKind.String).ToList();
            Assert.NotEmpty(strings);
            Assert.All(strings, v => Assert.ThrowsAny<System.Text.Json.JsonException>(() => JsonNode.Parse(v.GetValue<string>())));
        }
    }

    [Fact]
    public async Task A_state_written_with_its_inputs_as_JSON_text_resumes_and_is_checked_as_strictly()
    {
        var (config, checkpoint) = await TrainedRun();
        var path = Path.Combine(checkpoint, TrainerState.FileName);
        var current = TrainerState.Load(checkpoint).Inputs;
        // As the previous version wrote it: no state_version, every value a string of JSON text (a hash as it is).
        var state = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        state.Remove("state_version");
        var inputs = state["inputs"]!.AsObject();
        foreach (var key in inputs.Select(kv => kv.Key).ToList())
            inputs[key] = inputs[key] is JsonValue v && v.TryGetValue<string>(out var text) && text.StartsWith("sha256:", StringComparison.Ordinal)
                ? text : inputs[key]?.ToJsonString() ?? "null";
        Assert.StartsWith("{\"family\":", inputs["template"]!.GetValue<string>());
        File.WriteAllText(path, state.ToJsonString());

        var old = TrainerState.Load(checkpoint);
        Assert.Equal(current.Keys.Order(), old.Inputs.Keys.Order());
        Assert.All(current, kv => Assert.True(JsonNode.DeepEquals(kv.Value, old.Inputs[kv.Key]), kv.Key));
        var notes = new List<string>();
        ResumeRules.Check(TrainConfig.Load(config), ResumeRules.Inputs(TrainConfig.Load(config)), checkpoint, old, new HashSet<TrainOption>(), notes.Add);
        Assert.Empty(notes);
        var maxSteps = TrainOptions.All.Single(o => o.Flag == "--max-steps");
        Assert.Equal(3, (await OnlineTraining.RunAsync(TrainConfig.Load(config, new Dictionary<TrainOption, string> { [maxSteps] = "3" }), checkpoint,
            progress: null, CancellationToken.None, new HashSet<TrainOption> { maxSteps }, note: _ => { })).Steps);

        var maxLength = TrainOptions.All.Single(o => o.Flag == "--max-length");
        var changed = TrainConfig.Load(config, new Dictionary<TrainOption, string> { [maxLength] = "200" });
        Assert.Contains("--max-length 200: the run was started with 256", Assert.Throws<ArgumentException>(() =>
            ResumeRules.Check(changed, ResumeRules.Inputs(changed), checkpoint, old, new HashSet<TrainOption> { maxLength }, notes.Add)).Message);
        WriteData("train.jsonl", 24, seed: 99);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => OnlineTraining.RunAsync(TrainConfig.Load(config), checkpoint, null, CancellationToken.None));
        Assert.Contains("config field 'train_data'", error.Message);
        Assert.Contains("content differs", error.Message);
    }

    [Fact]
    public async Task A_LoRA_run_through_the_config_resumes_from_its_adapter_checkpoint()
    {
        var (config, checkpoint) = await TrainedRun(lora: new JsonObject { ["r"] = 2, ["target_modules"] = new JsonArray("q_proj", "v_proj") });
        Assert.True(File.Exists(Path.Combine(checkpoint, PoFT.Checkpoints.Checkpoint.AdapterConfigFile)));
        var maxSteps = TrainOptions.All.Single(o => o.Flag == "--max-steps");
        var summary = await OnlineTraining.RunAsync(TrainConfig.Load(config, new Dictionary<TrainOption, string> { [maxSteps] = "3" }), checkpoint,
            progress: null, CancellationToken.None, new HashSet<TrainOption> { maxSteps }, note: _ => { });
        Assert.Equal(3, summary.Steps);
        Assert.Equal(2, TrainerState.Load(summary.CheckpointDirectory).Options.Lora!.R);

        var lora = TrainOptions.All.Single(o => o.Flag == "--lora");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => OnlineTraining.RunAsync(
            TrainConfig.Load(config, new Dictionary<TrainOption, string> { [lora] = "null" }), checkpoint, null, CancellationToken.None, new HashSet<TrainOption> { lora }));
        Assert.Contains("--lora null", error.Message);
    }

    /// <summary>Two steps of online PoFT with one aligned model, then the step checkpoint of its last step (with the
    /// optimizer's state, which final/ does not keep; checkpoint_every 5 never falls on step 2: it is written at the end).</summary>
    private async Task<(string Config, string Checkpoint)> TrainedRun(JsonObject? lora = null)
    {
        var config = _temp.File("train.json");
        File.WriteAllText(config, new JsonObject
        {
            ["model"] = Path.Combine(models.Root, "llama-b"),
            ["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Llama3 },
            ["max_length"] = 256,
            ["train_data"] = WriteData("train.jsonl", 24, seed: 5),
            ["eval_data"] = WriteData("eval.jsonl", 4, seed: 6),
            ["manifest"] = models.Manifest("resume-manifest.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3)),
            ["output"] = _temp.Sub("run"),
            ["training"] = new JsonObject { ["batch_size"] = 2, ["max_steps"] = 2, ["seed"] = 3, ["checkpoint_every"] = 5, ["lora"] = lora },
        }.ToJsonString());
        var summary = await OnlineTraining.RunAsync(TrainConfig.Load(config), resume: null, progress: null, CancellationToken.None, note: _ => { });
        Assert.Equal(PoftTrainer.StepCheckpoint(_temp.Sub("run"), 2), summary.ResumeCheckpoint);
        return (config, summary.ResumeCheckpoint!);
    }

    private string WriteData(string name, int count, int seed)
    {
        var path = _temp.File(name);
        SftDataWriter.WriteJsonLines(path, AlignedModelsFixture.MultiTurn(count, seed));
        return path;
    }
}
