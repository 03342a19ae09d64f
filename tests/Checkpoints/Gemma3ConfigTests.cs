using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Exporter;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;

namespace PoFT.Tests.Checkpoints;

/// <summary>Gemma3ForCausalLM read from google/gemma-3-1b-it's config.json (configs/models/gemma-3-1b-it.json,
/// transformers_version 4.52.4, as quoted in github.com/Liwink/gemma-jax models/README.md: the hub itself is
/// out of reach here), its tensors as transformers' modeling_gemma3.py (commit 0018aa64) names them.</summary>
public class Gemma3ConfigTests
{
    private static readonly string Published = File.ReadAllText(Path.Combine(RepoPaths.Root, "configs", "models", "gemma-3-1b-it.json"));

    private static ModelConfig Edited(Action<JsonObject> edit) => ModelConfigTests.Parse(ModelConfigTests.Edit(Published, edit));

    [Fact]
    public void Reads_the_published_gemma_3_1b_it_config()
    {
        var c = ModelConfigTests.Parse(Published);
        Assert.Equal("gemma3_text", c.ModelType);
        Assert.True(c.IsGemma);
        Assert.True(c.QkNorm);
        Assert.Equal((1152, 6912, 26, 4, 1, 256), (c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim));
        // Not stated in the file: Gemma3TextConfig's default.
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal((1_000_000.0, 10_000.0, 256.0, 512), (c.RopeTheta, c.LocalRopeTheta, c.QueryPreAttnScalar, c.SlidingWindow));
        Assert.Null(c.RopeScaling);
        Assert.Equal(1.0 / 16, c.AttentionScale);
        // sliding_window_pattern 6: layers 5, 11, 17 and 23 global, the other 22 sliding.
        Assert.Equal([5, 11, 17, 23], Enumerable.Range(0, 26).Where(i => !c.IsSlidingLayer(i)));
        Assert.Equal([1, 106], c.EosTokenIds);
        Assert.Equal(999_885_952L, c.ParameterCount);
    }

    // Gemma3Attention's and Gemma3DecoderLayer's module names.
    private static readonly string[] HuggingFaceLayer =
    [
        "input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
        "self_attn.o_proj.weight", "self_attn.q_norm.weight", "self_attn.k_norm.weight", "post_attention_layernorm.weight",
        "pre_feedforward_layernorm.weight", "post_feedforward_layernorm.weight",
        "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
    ];

    [Fact]
    public void Expected_tensors_are_the_Hugging_Face_names_and_shapes()
    {
        var specs = ExpectedTensors.For(ModelConfigTests.Parse(Published)).ToDictionary(s => s.Name, s => s.Shape);
        string[] expected = ["model.embed_tokens.weight", "model.norm.weight", .. Enumerable.Range(0, 26).SelectMany(i => HuggingFaceLayer.Select(n => $"model.layers.{i}.{n}"))];
        Assert.Equal(expected.Order(), specs.Keys.Order());
        Assert.Equal([262144L, 1152], specs["model.embed_tokens.weight"]);
        Assert.Equal([256L], specs["model.layers.25.self_attn.q_norm.weight"]);
        Assert.Equal([1024L, 1152], specs["model.layers.0.self_attn.q_proj.weight"]);
        Assert.Equal([256L, 1152], specs["model.layers.0.self_attn.k_proj.weight"]);
        Assert.Equal([1152L, 1024], specs["model.layers.0.self_attn.o_proj.weight"]);
        Assert.Equal([1152L], specs["model.layers.0.post_feedforward_layernorm.weight"]);
    }

    [Fact]
    public void A_fresh_model_has_identity_norms_which_for_Gemma_are_zero_weights()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gemma3-window-3-local-rope"), seed: 3);
        var norms = model.state_dict().Where(p => p.Key.EndsWith("norm.weight", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, p => Assert.Equal(0f, p.Value.abs().max().item<float>()));
    }

    [Fact]
    public void Round_trips_through_json_with_the_layer_types_spelled_out()
    {
        var c = ModelConfigTests.Parse(Published);
        var json = c.ToJson();
        Assert.Equal("gelu_pytorch_tanh", json["hidden_activation"]!.GetValue<string>());
        Assert.Null(json["hidden_act"]);
        Assert.Equal(26, json["layer_types"]!.AsArray().Count);
        var again = ModelConfig.Parse(json, "again.json");
        Assert.Equal(c with { EosTokenIds = [], LayerTypes = [] }, again with { EosTokenIds = [], LayerTypes = [] });
        Assert.Equal(c.EosTokenIds, again.EosTokenIds);
        Assert.Equal(c.LayerTypes, again.LayerTypes);
    }

    [Fact]
    public void Layer_types_when_given_override_the_pattern()
    {
        var c = Edited(o => o["layer_types"] = new JsonArray([.. Enumerable.Range(0, 26).Select(i => (JsonNode)(i % 2 == 0 ? "sliding_attention" : "full_attention"))]));
        Assert.Equal(13, Enumerable.Range(0, 26).Count(c.IsSlidingLayer));
        Assert.True(c.IsSlidingLayer(0));
        Assert.False(c.IsSlidingLayer(1));
    }

    [Fact]
    public void Rope_scaling_applies_to_the_global_layers_only()
    {
        var c = Edited(o => o["rope_scaling"] = new JsonObject { ["rope_type"] = "linear", ["factor"] = 8.0 });
        Assert.Equal(new RopeScaling("linear", 8.0), c.RopeScaling);
        Assert.Null(c.SlidingLayerRope().RopeScaling);
        Assert.Equal(10_000.0, c.SlidingLayerRope().RopeTheta);
        Assert.Equal(RotaryFrequencies.Compute(c)[1] * 8, RotaryFrequencies.Compute(c with { RopeScaling = null })[1], 1e-12);
    }

    [Theory]
    [InlineData("final_logit_softcapping", "0", "field 'final_logit_softcapping': 0 must be a finite positive number")]
    [InlineData("hidden_activation", "\"gelu\"", "field 'hidden_activation': 'gelu' is not supported; supported: 'gelu_pytorch_tanh'")]
    [InlineData("layer_types", "[\"sliding_attention\"]", "field 'layer_types': 1 entries, expected one per layer (26, num_hidden_layers)")]
    [InlineData("layer_types", "[" + "\"full_attention\", " + "\"chunked_attention\"]", "field 'layer_types'")]
    [InlineData("query_pre_attn_scalar", "null", "field 'query_pre_attn_scalar': missing")]
    [InlineData("head_dim", "null", "field 'head_dim': missing (Gemma needs it")]
    [InlineData("use_bidirectional_attention", "true", "field 'use_bidirectional_attention': true is not supported")]
    [InlineData("rope_parameters", "{}", "field 'rope_parameters': not supported")]
    [InlineData("sliding_window", "0", "field 'sliding_window': 0 must be positive")]
    public void Unsupported_or_missing_fields_are_errors_naming_the_field(string field, string value, string expected) =>
        Assert.Contains(expected, ModelConfigTests.RefusedWith(Published, field, value).Message);

    [Fact]
    public void A_wrong_layer_type_is_named_with_its_index()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => Edited(o =>
            o["layer_types"] = new JsonArray([.. Enumerable.Range(0, 26).Select(i => (JsonNode)(i == 7 ? "chunked_attention" : "full_attention"))])));
        Assert.Contains("field 'layer_types[7]': 'chunked_attention' is not supported; supported: 'sliding_attention', 'full_attention'", error.Message);
    }

    /// <summary>transformers' Gemma3Attention stores attn_logit_softcapping but never applies it (see
    /// ModelConfig.Gemma3AttentionSoftcap): a config that sets it is refused, naming the field, never scored with a
    /// cap that transformers does not apply.</summary>
    [Theory]
    [InlineData("50.0", "field 'attn_logit_softcapping': 50 is not supported for Gemma3ForCausalLM: transformers' Gemma3Attention stores it but never applies it")]
    [InlineData("1", "field 'attn_logit_softcapping': 1 is not supported for Gemma3ForCausalLM")]
    [InlineData("-1", "field 'attn_logit_softcapping': -1 must be a finite positive number")]
    public void A_Gemma_3_attention_softcap_is_refused_naming_the_field(string value, string expected) =>
        Assert.Contains(expected, ModelConfigTests.RefusedWith(Published, "attn_logit_softcapping", value).Message);

    [Fact]
    public void A_null_or_absent_Gemma_3_attention_softcap_reads_as_none_while_Gemma_2_keeps_its_default()
    {
        Assert.Null(Edited(o => o["attn_logit_softcapping"] = null).AttentionLogitSoftcap);
        Assert.Null(Edited(o => o.Remove("attn_logit_softcapping")).AttentionLogitSoftcap);
        var gemma2 = Edited(o =>
        {
            (o["architectures"], o["model_type"]) = (new JsonArray("Gemma2ForCausalLM"), "gemma2");
            o.Remove("attn_logit_softcapping");
        });
        Assert.Equal(50.0, gemma2.AttentionLogitSoftcap);
    }

    [Fact]
    public void Both_backends_refuse_a_Gemma_3_checkpoint_whose_config_sets_the_attention_softcap()
    {
        using var temp = new TempDirectory();
        var capped = RandomCheckpoints.Config("gemma3-window-3-local-rope") with { AttentionLogitSoftcap = 1.0 };
        var checkpoint = RandomCheckpoints.Write(temp.Sub("gemma3"), capped, seed: 1);
        var torch = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load(checkpoint, Placement.Cpu));
        var onnx = Assert.Throws<CheckpointFormatException>(() => LlamaOnnxExporter.Export(checkpoint, temp.Sub("onnx"), new ExportOptions()));
        Assert.All(new[] { torch, onnx }, e => Assert.Contains("field 'attn_logit_softcapping': 1 is not supported for Gemma3ForCausalLM", e.Message));
    }
}
