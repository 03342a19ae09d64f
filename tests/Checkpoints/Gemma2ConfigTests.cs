using System.Text.Json.Nodes;
using PoFT.Checkpoints;

namespace PoFT.Tests.Checkpoints;

/// <summary>Gemma2ForCausalLM from a config.json of gemma-2-2b's shape, written here from Gemma2Config's defaults
/// (which are the 2B's; configuration_gemma2.py, transformers commit 008e5743) with the fields published Gemma 2
/// configs write, both hidden_act and hidden_activation among them: no published file could be had here.</summary>
public class Gemma2ConfigTests
{
    private const string TwoB = """
        {
          "architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2", "attention_bias": false,
          "attn_logit_softcapping": 50.0, "final_logit_softcapping": 30.0, "bos_token_id": 2, "eos_token_id": 1,
          "pad_token_id": 0, "head_dim": 256, "hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh",
          "hidden_size": 2304, "intermediate_size": 9216, "max_position_embeddings": 8192, "num_attention_heads": 8,
          "num_hidden_layers": 26, "num_key_value_heads": 4, "query_pre_attn_scalar": 256, "rms_norm_eps": 1e-06,
          "rope_theta": 10000.0, "sliding_window": 4096, "torch_dtype": "float32", "vocab_size": 256000
        }
        """;

    private static ModelConfig Edited(Action<JsonObject> edit) => ModelConfigTests.Parse(ModelConfigTests.Edit(TwoB, edit));

    [Fact]
    public void Reads_a_gemma_2_2b_config()
    {
        var c = ModelConfigTests.Parse(TwoB);
        Assert.Equal("gemma2", c.ModelType);
        Assert.True(c.IsGemma);
        Assert.False(c.QkNorm);
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal((50.0, 30.0, 256.0, 4096), (c.AttentionLogitSoftcap, c.FinalLogitSoftcap, c.QueryPreAttnScalar, c.SlidingWindow));
        Assert.Null(c.LocalRopeTheta);
        Assert.Same(c, c.SlidingLayerRope());
        // Even layers slide, odd ones are global.
        Assert.All(Enumerable.Range(0, 26), i => Assert.Equal(i % 2 == 0, c.IsSlidingLayer(i)));
        // gemma-2-2b's 2.6B parameters.
        Assert.Equal(2_614_341_888L, c.ParameterCount);
    }

    [Fact]
    public void Softcaps_default_to_Gemma2Configs_when_absent_and_are_off_when_null()
    {
        var absent = Edited(o => { o.Remove("attn_logit_softcapping"); o.Remove("final_logit_softcapping"); });
        Assert.Equal((50.0, 30.0), (absent.AttentionLogitSoftcap, absent.FinalLogitSoftcap));
        var off = Edited(o => { o["attn_logit_softcapping"] = null; o["final_logit_softcapping"] = null; });
        Assert.Equal((null, null), (off.AttentionLogitSoftcap, off.FinalLogitSoftcap));
    }

    [Fact]
    public void The_window_defaults_to_4096_and_null_is_refused()
    {
        Assert.Equal(4096, Edited(o => o.Remove("sliding_window")).SlidingWindow);
        var error = Assert.Throws<CheckpointFormatException>(() => Edited(o => o["sliding_window"] = null));
        Assert.Contains("field 'sliding_window': null is not supported for Gemma; expected a positive integer", error.Message);
    }

    [Fact]
    public void Expected_tensors_have_the_four_norms_and_no_head_norms()
    {
        var names = ExpectedTensors.For(ModelConfigTests.Parse(TwoB)).Select(s => s.Name).ToHashSet();
        Assert.Equal(2 + 26 * 11, names.Count);
        Assert.Contains("model.layers.25.pre_feedforward_layernorm.weight", names);
        Assert.Contains("model.layers.25.post_feedforward_layernorm.weight", names);
        Assert.DoesNotContain("model.layers.0.self_attn.q_norm.weight", names);
    }

    [Fact]
    public void Round_trips_through_json()
    {
        var c = ModelConfigTests.Parse(TwoB);
        var again = ModelConfig.Parse(c.ToJson(), "again.json");
        Assert.Equal(c with { EosTokenIds = [], LayerTypes = [] }, again with { EosTokenIds = [], LayerTypes = [] });
        Assert.Equal(c.LayerTypes, again.LayerTypes);
        var uncapped = Edited(o => o["final_logit_softcapping"] = null);
        Assert.Null(ModelConfig.Parse(uncapped.ToJson(), "again.json").FinalLogitSoftcap);
    }

    [Theory]
    [InlineData("hidden_act", "\"silu\"", "field 'hidden_act': 'silu' is not supported; supported: 'gelu_pytorch_tanh'")]
    [InlineData("attn_logit_softcapping", "-1", "field 'attn_logit_softcapping': -1 must be a finite positive number")]
    [InlineData("query_pre_attn_scalar", "null", "field 'query_pre_attn_scalar': missing")]
    [InlineData("head_dim", "null", "field 'head_dim': missing (Gemma needs it")]
    [InlineData("layer_types", "[\"full_attention\"]", "field 'layer_types': 1 entries, expected one per layer (26, num_hidden_layers)")]
    public void Unsupported_or_missing_fields_are_errors_naming_the_field(string field, string value, string expected) =>
        Assert.Contains(expected, ModelConfigTests.RefusedWith(TwoB, field, value).Message);
}
