using System.Text.Json.Nodes;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Hybrid;

/// <summary>What <c>train</c> would silently get wrong, or fail on deep inside libtorch, is refused before anything is
/// loaded, allocated or written (issue 29 item 4), naming the config file and the field.</summary>
public sealed class TrainRefusalTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Config(Action<JsonObject> edit, string? model = null)
    {
        var data = _temp.File("train.jsonl");
        if (!File.Exists(data))
            SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(4, seed: 4));
        var config = new JsonObject
        {
            ["model"] = model ?? Path.Combine(models.Root, "llama-b"),
            ["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Llama3 },
            ["max_length"] = 256,
            ["train_data"] = data,
            ["output"] = Path.Combine(_temp.Path, "run"),
            ["training"] = new JsonObject { ["objective"] = "ce", ["batch_size"] = 2, ["max_steps"] = 1, ["checkpoint_every"] = 0 },
        };
        edit(config);
        var path = _temp.File($"train-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private async Task<FormatException> Refused(string config)
    {
        var error = await Assert.ThrowsAsync<FormatException>(() =>
            OnlineTraining.RunAsync(TrainConfig.Load(config), resume: null, progress: null, CancellationToken.None, note: _ => { }));
        Assert.StartsWith($"{config}: ", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "run", PoftTrainer.CheckpointsFolder)));
        Assert.False(File.Exists(Path.Combine(_temp.Path, "run", MetricsLog.FileName)));
        return error;
    }

    [Fact]
    public async Task A_manifest_together_with_a_score_file_is_refused_rather_than_one_ignored()
    {
        var scores = _temp.File("scores.jsonl");
        File.WriteAllText(scores, "");
        var manifest = models.Manifest("both-manifest.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3));
        var error = await Refused(Config(c => (c["manifest"], c["scores"], c["training"]!["objective"]) = (manifest, scores, "poft")));
        Assert.Contains("field 'scores': give the aligned models' scores as manifest (scored online) or as scores (a score file), not both", error.Message);
    }

    [Fact]
    public async Task Poft_without_reference_scores_names_the_config_and_both_fields()
    {
        var config = Config(c => c["training"]!["objective"] = "poft");
        var error = await Refused(config);
        Assert.Equal($"{config}: objective 'poft' needs reference scores: set field 'manifest' (the aligned models, scored online) or field 'scores' (a score file), " +
            "or train with objective 'ce'", error.Message);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(100_000_000)]
    public async Task A_LoRA_rank_above_a_projections_is_refused_before_any_allocation(int rank)
    {
        // llama-b: hidden 32, 2 KV heads of 8: k_proj and v_proj are 32×16.
        var error = await Refused(Config(c => c["training"]!["lora"] = new JsonObject { ["r"] = rank }));
        Assert.Contains($"field 'training.lora': r {rank} is above the rank of k_proj (32×16): expected at most 16", error.Message);
    }

    [Fact]
    public async Task LoRA_on_Phi3_is_refused_naming_the_field_not_thrown_from_the_model()
    {
        var phi3 = RandomCheckpoints.Write(_temp.Sub("phi3"), RandomCheckpoints.Config("phi3-longrope-window"), seed: 1, tokenizerDirectory: RepoPaths.Tokenizer("llama3"));
        var error = await Refused(Config(c => c["training"]!["lora"] = new JsonObject { ["r"] = 2 }, model: phi3));
        Assert.Contains("field 'training.lora': LoRA on Phi3ForCausalLM is not supported", error.Message);
    }
}
