using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Tests.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>Gemma 3 and Gemma 2 models through the commands a user runs: <c>init-model</c> from a config.json
/// (gemma-3-1b-it's, shrunk, with a sliding and a global layer and a window shorter than the samples; for Gemma 2
/// the same turned into a Gemma2ForCausalLM with its published softcaps), a few steps of CE and of PoFT,
/// <c>export --verify</c> and <c>score</c>, with the Gemma 3 tokenizer and its own chat template (<c>auto</c>).</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed class GemmaEndToEndTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("Gemma3ForCausalLM")]
    [InlineData("Gemma2ForCausalLM")]
    public async Task Init_train_with_CE_and_PoFT_export_verify_and_score(string architecture)
    {
        var config = ModelConfigTests.Edit(File.ReadAllText(Path.Combine(RepoPaths.Root, "configs", "models", "gemma-3-1b-it.json")), o =>
        {
            (o["hidden_size"], o["intermediate_size"], o["num_hidden_layers"]) = (32, 64, 2);
            (o["num_attention_heads"], o["num_key_value_heads"], o["head_dim"]) = (4, 1, 16);
            (o["sliding_window"], o["sliding_window_pattern"]) = (8, 2);
            o.Remove("vocab_size");
            if (architecture == "Gemma2ForCausalLM")
            {
                (o["architectures"], o["model_type"], o["rope_theta"]) = (new JsonArray("Gemma2ForCausalLM"), "gemma2", 10000.0);
                (o["attn_logit_softcapping"], o["final_logit_softcapping"]) = (50.0, 30.0);
                // Gemma 2 alternates its layers whatever this says.
                o.Remove("sliding_window_pattern");
                o.Remove("rope_local_base_freq");
            }
        });
        var finalSoftcap = architecture == "Gemma2ForCausalLM" ? 30.0 : (double?)null;
        await new EndToEndRun(models, _temp).Run(architecture, config, "gemma3", ChatTemplateSpec.Auto,
            c => c is { IsGemma: true, HeadDim: 16, HiddenSize: 32, SlidingWindow: 8, TieWordEmbeddings: true }
                && c.Architecture == architecture && c.FinalLogitSoftcap == finalSoftcap && c.IsSlidingLayer(0) && !c.IsSlidingLayer(1));
    }
}
