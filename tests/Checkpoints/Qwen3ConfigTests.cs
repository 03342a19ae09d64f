using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Checkpoints;

/// <summary>Qwen3ForCausalLM read from Qwen3-0.6B's published config.json (configs/models/qwen3-0.6b.json,
/// as on the Hugging Face hub, transformers_version 4.51.0), its tensors as transformers names them.</summary>
public class Qwen3ConfigTests
{
    private static readonly string Published = File.ReadAllText(Path.Combine(RepoPaths.Root, "configs", "models", "qwen3-0.6b.json"));

    private static ModelConfig Edited(Action<JsonObject> edit) => ModelConfigTests.Parse(ModelConfigTests.Edit(Published, edit));

    [Fact]
    public void Reads_the_published_Qwen3_0_6B_config()
    {
        var c = ModelConfigTests.Parse(Published);
        Assert.Equal("qwen3", c.ModelType);
        Assert.Equal((1024, 3072, 28, 16, 8, 128), (c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim));
        Assert.True(c.QkNorm);
        Assert.False(c.QkvBias);
        Assert.False(c.OutputProjectionBias);
        Assert.True(c.TieWordEmbeddings);
        Assert.Null(c.SlidingWindow);
        Assert.Null(c.RopeScaling);
        Assert.Equal((1_000_000.0, 1e-6, 40960), (c.RopeTheta, c.RmsNormEps, c.MaxPositionEmbeddings));
        Assert.Equal([151645], c.EosTokenIds);
        // 0.6B in all, 0.44B without the embedding, as the model card says; q_norm/k_norm add 28·2·128.
        Assert.Equal(596_049_920L, c.ParameterCount);
    }

    // Qwen3Attention and Qwen3DecoderLayer's module names (transformers' modeling_qwen3.py, commit 9ee3f431).
    private static readonly string[] HuggingFaceLayer =
    [
        "input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
        "self_attn.o_proj.weight", "self_attn.q_norm.weight", "self_attn.k_norm.weight", "post_attention_layernorm.weight",
        "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
    ];

    [Fact]
    public void Expected_tensors_are_the_Hugging_Face_names_and_shapes()
    {
        var specs = ExpectedTensors.For(ModelConfigTests.Parse(Published)).ToDictionary(s => s.Name, s => s.Shape);
        string[] expected = ["model.embed_tokens.weight", "model.norm.weight", .. Enumerable.Range(0, 28).SelectMany(i => HuggingFaceLayer.Select(n => $"model.layers.{i}.{n}"))];
        Assert.Equal(expected.Order(), specs.Keys.Order());
        Assert.Equal([128L], specs["model.layers.27.self_attn.q_norm.weight"]);
        Assert.Equal([128L], specs["model.layers.27.self_attn.k_norm.weight"]);
        Assert.Equal([2048L, 1024], specs["model.layers.0.self_attn.q_proj.weight"]);
        Assert.Equal([1024L, 1024], specs["model.layers.0.self_attn.k_proj.weight"]);
        Assert.Equal([1024L, 2048], specs["model.layers.0.self_attn.o_proj.weight"]);
    }

    [Fact]
    public void Round_trips_through_json()
    {
        var c = ModelConfigTests.Parse(Published);
        var json = c.ToJson();
        Assert.Equal("qwen3", json["model_type"]!.GetValue<string>());
        Assert.False(json["use_sliding_window"]!.GetValue<bool>());
        AssertSame(c, ModelConfig.Parse(json, "again.json"));
    }

    // Records compare lists by reference: the eos ids are compared apart.
    private static void AssertSame(ModelConfig expected, ModelConfig actual)
    {
        Assert.Equal(expected with { EosTokenIds = [] }, actual with { EosTokenIds = [] });
        Assert.Equal(expected.EosTokenIds, actual.EosTokenIds);
    }

    [Fact]
    public void Attention_bias_puts_biases_on_q_k_v_and_o_as_in_Llama()
    {
        var c = Edited(o => o["attention_bias"] = true);
        Assert.True(c.QkvBias);
        Assert.True(c.OutputProjectionBias);
        Assert.Contains(ExpectedTensors.For(c), s => s.Name == "model.layers.0.self_attn.o_proj.bias");
        AssertSame(c, ModelConfig.Parse(c.ToJson(), "again.json"));
    }

    [Fact]
    public void Max_window_layers_and_full_attention_layer_types_are_accepted_without_a_sliding_window()
    {
        var c = Edited(o =>
        {
            o["max_window_layers"] = 3;
            o["sliding_window"] = 4096;
            o["layer_types"] = new JsonArray([.. Enumerable.Range(0, 28).Select(_ => (JsonNode)"full_attention")]);
        });
        Assert.Null(c.SlidingWindow);
    }

    [Theory]
    [InlineData("use_sliding_window", "true", "field 'use_sliding_window': true is not supported; supported: false")]
    [InlineData("layer_types", "[\"full_attention\", \"sliding_attention\"]", "field 'layer_types[1]': 'sliding_attention' is not supported; supported: 'full_attention'")]
    [InlineData("layer_types", "\"full_attention\"", "field 'layer_types': expected a list of strings")]
    [InlineData("head_dim", "null", "field 'head_dim': missing (Qwen3 needs it")]
    [InlineData("head_dim", "127", "field 'head_dim': 127 must be even")]
    [InlineData("attention_bias", "\"no\"", "field 'attention_bias': expected true or false")]
    [InlineData("hidden_act", "\"gelu\"", "field 'hidden_act': 'gelu' is not supported")]
    [InlineData("rope_scaling", "{\"rope_type\":\"yarn\",\"factor\":4.0}", "'yarn' is not supported")]
    [InlineData("num_key_value_heads", "3", "field 'num_key_value_heads': 3 must divide num_attention_heads (16)")]
    public void Unsupported_or_missing_fields_are_errors_naming_the_field(string field, string value, string expected) =>
        Assert.Contains(expected, ModelConfigTests.RefusedWith(Published, field, value).Message);
}
