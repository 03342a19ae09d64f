using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Tests.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>A Phi3ForCausalLM model through the commands a user runs (<see cref="EndToEndRun"/>), from
/// Phi-3.5-mini-instruct's config shrunk: longrope with 4 factors a list (head_dim 8) and
/// original_max_position_embeddings 64, so that training and scoring samples take both sets. Mistral's
/// sentencepiece tokenizer stands in for Phi-3's (a Llama 2 one, not among the assets), with Mistral's template.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed class Phi3EndToEndTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Init_train_with_CE_and_PoFT_export_verify_and_score()
    {
        var config = ModelConfigTests.Edit(File.ReadAllText(Path.Combine(RepoPaths.Root, "configs", "models", "phi-3.5-mini-instruct.json")), o =>
        {
            (o["hidden_size"], o["intermediate_size"], o["num_hidden_layers"]) = (32, 64, 2);
            (o["num_attention_heads"], o["num_key_value_heads"]) = (4, 2);
            (o["original_max_position_embeddings"], o["sliding_window"]) = (64, 48);
            o["rope_scaling"]!["short_factor"] = new JsonArray(1.0, 1.2, 1.9, 2.8);
            o["rope_scaling"]!["long_factor"] = new JsonArray(1.1, 3.2, 30.4, 64.8);
            foreach (var field in new[] { "vocab_size", "bos_token_id", "eos_token_id", "pad_token_id" })
                o.Remove(field);
        });
        await new EndToEndRun(models, _temp).Run("Phi3ForCausalLM", config, "mistral", ChatTemplateSpec.MistralInst,
            c => c is { FusedProjections: true, HeadDim: 8, SlidingWindow: 48, RopeScaling: { Type: "longrope", OriginalMaxPositionEmbeddings: 64 } });
    }

    [Fact]
    public async Task Plan_refuses_LoRA_as_training_does()
    {
        var result = await PoftProcess.Run(["plan", "--model", Path.Combine(RepoPaths.Root, "configs", "models", "phi-3.5-mini-instruct.json"), "--lora", "8"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--lora 8: LoRA on Phi3ForCausalLM is not supported", result.Error);
    }
}
