using PoFT.Shared.Manifest;
using PoFT.Tests.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>A Qwen3ForCausalLM model through the commands a user runs (<see cref="EndToEndRun"/>), from
/// Qwen3-0.6B's config shrunk, scored with its own chat template.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed class Qwen3EndToEndTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Init_train_with_CE_and_PoFT_export_verify_and_score()
    {
        var config = ModelConfigTests.Edit(File.ReadAllText(Path.Combine(RepoPaths.Root, "configs", "models", "qwen3-0.6b.json")), o =>
        {
            (o["hidden_size"], o["intermediate_size"], o["num_hidden_layers"]) = (32, 64, 2);
            (o["num_attention_heads"], o["num_key_value_heads"], o["head_dim"]) = (4, 2, 16);
            o.Remove("vocab_size");
        });
        await new EndToEndRun(models, _temp).Run("Qwen3ForCausalLM", config, "qwen3", ChatTemplateSpec.Auto,
            c => c is { QkNorm: true, HeadDim: 16, HiddenSize: 32 });
    }
}
