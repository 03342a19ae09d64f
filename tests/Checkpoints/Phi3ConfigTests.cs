using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;
using static TorchSharp.torch;

namespace PoFT.Tests.Checkpoints;

/// <summary>
/// Phi3ForCausalLM read from published configs: Phi-3.5-mini-instruct's (configs/models/phi-3.5-mini-instruct.json,
/// longrope, 128k positions) and Phi-3-mini-4k-instruct's (configs/models/phi-3-mini-4k-instruct.json, no
/// rope_scaling, sliding_window 2047), both as the hub has them, their text taken from public code that quotes
/// them, and Phi-4-mini-instruct's (configs/models/phi-4-mini-instruct.json: partial_rotary_factor 0.75, tied,
/// from an MLX conversion's copy without the quantization fields MLX adds); tensors as transformers names them (Phi3Attention, Phi3MLP and Phi3DecoderLayer in modeling_phi3.py,
/// commit 43c2b481; the partial rotation of modular_phi3.py, commit 2b6c089d). No values from transformers itself are checked: there is no PyTorch here, so the longrope
/// numbers are worked by hand from the formula of modeling_rope_utils.py (commit 0044e3b3).
/// </summary>
public class Phi3ConfigTests
{
    private static readonly string Mini35 = Published("phi-3.5-mini-instruct.json");
    private static readonly string Mini4k = Published("phi-3-mini-4k-instruct.json");
    private static readonly string Phi4Mini = Published("phi-4-mini-instruct.json");

    private static string Published(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, "configs", "models", name));

    private static ModelConfig Edited(Action<JsonObject> edit) => ModelConfigTests.Parse(ModelConfigTests.Edit(Mini35, edit));

    [Fact]
    public void Reads_the_published_Phi_3_5_mini_config()
    {
        var c = ModelConfigTests.Parse(Mini35);
        Assert.Equal("phi3", c.ModelType);
        Assert.Equal((3072, 8192, 32, 32, 32, 96), (c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim));
        Assert.True(c.FusedProjections);
        Assert.False(c.QkvBias);
        Assert.False(c.TieWordEmbeddings);
        Assert.Equal(262144, c.SlidingWindow);
        Assert.Equal((10000.0, 1e-5, 131072, 32064), (c.RopeTheta, c.RmsNormEps, c.MaxPositionEmbeddings, c.VocabSize));
        Assert.Equal(1, c.BosTokenId);
        Assert.Equal([32000], c.EosTokenIds);
        var rope = c.RopeScaling!;
        Assert.Equal(("longrope", 4096, 48, 48), (rope.Type, rope.OriginalMaxPositionEmbeddings, rope.ShortFactor!.Count, rope.LongFactor!.Count));
        Assert.Equal((1.0, 2.8399994373321533), (rope.ShortFactor[0], rope.ShortFactor[47]));
        Assert.Equal((1.0800000429153442, 64.83999633789062), (rope.LongFactor[0], rope.LongFactor[47]));
        // 3.8B: the model card's 3,821,079,552 parameters, lm_head untied.
        Assert.Equal(3_821_079_552L, c.ParameterCount);
    }

    [Fact]
    public void Reads_the_published_Phi_3_mini_4k_config_with_its_sliding_window()
    {
        var c = ModelConfigTests.Parse(Mini4k);
        Assert.Null(c.RopeScaling);
        Assert.Equal((2047, 4096), (c.SlidingWindow, c.MaxPositionEmbeddings));
        Assert.Equal(1.0, RotaryFrequencies.AttentionScaling(c));
        Assert.Null(RotaryFrequencies.LongSamplesAbove(c));
    }

    private static readonly string[] HuggingFaceLayer =
    [
        "input_layernorm.weight", "self_attn.qkv_proj.weight", "self_attn.o_proj.weight", "post_attention_layernorm.weight",
        "mlp.gate_up_proj.weight", "mlp.down_proj.weight",
    ];

    [Fact]
    public void Expected_tensors_are_the_fused_Hugging_Face_names_and_shapes()
    {
        var specs = ExpectedTensors.For(ModelConfigTests.Parse(Mini35)).ToDictionary(s => s.Name, s => s.Shape);
        string[] expected = ["model.embed_tokens.weight", "model.norm.weight", "lm_head.weight", .. Enumerable.Range(0, 32).SelectMany(i => HuggingFaceLayer.Select(n => $"model.layers.{i}.{n}"))];
        Assert.Equal(expected.Order(), specs.Keys.Order());
        // (heads + 2·kv_heads)·head_dim rows of q, k, v; 2·intermediate rows of gate, up.
        Assert.Equal([9216L, 3072], specs["model.layers.0.self_attn.qkv_proj.weight"]);
        Assert.Equal([16384L, 3072], specs["model.layers.31.mlp.gate_up_proj.weight"]);
        Assert.Equal([3072L, 3072], specs["model.layers.0.self_attn.o_proj.weight"]);
        Assert.Equal([3072L, 8192], specs["model.layers.0.mlp.down_proj.weight"]);
        Assert.Equal([32064L, 3072], specs["lm_head.weight"]);
    }

    [Fact]
    public void A_split_projection_reads_as_its_rows_of_the_fused_tensor_q_k_v_and_gate_up_in_that_order()
    {
        using var temp = new TempDirectory();
        var config = RandomCheckpoints.Config("phi3-longrope-window");
        using var checkpoint = Checkpoint.Open(RandomCheckpoints.Write(temp.Sub("phi3"), config, seed: 3));
        long h = config.HiddenSize, q = config.NumAttentionHeads * config.HeadDim, kv = config.NumKeyValueHeads * config.HeadDim;
        var qkv = checkpoint.ReadFloat32("model.layers.1.self_attn.qkv_proj.weight");
        Assert.Equal(qkv[..(int)(q * h)], checkpoint.ReadFloat32("model.layers.1.self_attn.q_proj.weight"));
        Assert.Equal(qkv[(int)(q * h)..(int)((q + kv) * h)], checkpoint.ReadFloat32("model.layers.1.self_attn.k_proj.weight"));
        Assert.Equal(qkv[(int)((q + kv) * h)..], checkpoint.ReadFloat32("model.layers.1.self_attn.v_proj.weight"));
        Assert.Equal([kv, h], checkpoint.Entry("model.layers.1.self_attn.v_proj.weight").Shape);
        var gateUp = checkpoint.ReadFloat32("model.layers.0.mlp.gate_up_proj.weight");
        var split = (int)(config.IntermediateSize * h);
        Assert.Equal(gateUp[..split], checkpoint.ReadFloat32("model.layers.0.mlp.gate_proj.weight"));
        Assert.Equal(gateUp[split..], checkpoint.ReadFloat32("model.layers.0.mlp.up_proj.weight"));
    }

    [Fact]
    public void A_trained_Phi_3_is_saved_under_the_fused_names_and_loads_back_unchanged()
    {
        using var temp = new TempDirectory();
        var config = RandomCheckpoints.Config("phi3-longrope-window");
        using var model = ModelCheckpoint.CreateFresh(config, seed: 4);
        var directory = temp.File("saved");
        ModelCheckpoint.Save(model, directory, tokenizerDirectory: null);

        using (var file = SafetensorsFile.Open(Path.Combine(directory, Checkpoint.SingleFile)))
        {
            Assert.Equal(ExpectedTensors.For(config).Select(s => s.Name).Order(), file.Tensors.Keys.Order());
            Assert.DoesNotContain(file.Tensors.Keys, n => n.EndsWith("q_proj.weight", StringComparison.Ordinal) || n.EndsWith("up_proj.weight", StringComparison.Ordinal) && !n.Contains("gate_up"));
            var state = model.state_dict();
            using var expected = cat([state["model.layers.0.self_attn.q_proj.weight"], state["model.layers.0.self_attn.k_proj.weight"], state["model.layers.0.self_attn.v_proj.weight"]], 0);
            Assert.Equal(expected.data<float>().ToArray(), file.ReadFloat32(file["model.layers.0.self_attn.qkv_proj.weight"]));
        }
        Assert.Equal(config.RopeScaling, ModelConfig.Load(Path.Combine(directory, Checkpoint.ConfigFile)).RopeScaling);

        using var loaded = ModelCheckpoint.Load(directory, Placement.Cpu);
        var before = model.state_dict();
        foreach (var (name, value) in loaded.state_dict())
            Assert.Equal(before[name].data<float>().ToArray(), value.data<float>().ToArray());
    }

    [Fact]
    public void LoRA_is_refused_rather_than_written_where_PEFT_could_not_load_it()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("phi3-longrope-window"), seed: 1);
        var error = Assert.Throws<NotSupportedException>(() => model.AttachLora(new LoraOptions { R = 2 }, "base", seed: 1));
        Assert.Contains("Phi3ForCausalLM", error.Message);
        Assert.Contains("qkv_proj", error.Message);
    }

    [Fact]
    public void Round_trips_through_json_with_longrope_where_Phi_3_puts_it()
    {
        foreach (var published in new[] { Mini35, Mini4k })
        {
            var c = ModelConfigTests.Parse(published);
            var json = c.ToJson();
            Assert.Equal("phi3", json["model_type"]!.GetValue<string>());
            AssertSame(c, ModelConfig.Parse(json, "again.json"));
        }
        var written = ModelConfigTests.Parse(Mini35).ToJson();
        Assert.Equal(4096, written["original_max_position_embeddings"]!.GetValue<int>());
        Assert.Equal(["type", "short_factor", "long_factor"], written["rope_scaling"]!.AsObject().Select(p => p.Key));
    }

    // Records compare lists by reference: the eos ids are compared apart.
    private static void AssertSame(ModelConfig expected, ModelConfig actual)
    {
        Assert.Equal(expected with { EosTokenIds = [] }, actual with { EosTokenIds = [] });
        Assert.Equal(expected.EosTokenIds, actual.EosTokenIds);
    }

    [Fact]
    public void Su_is_longrope_and_rope_scaling_may_carry_original_max_position_embeddings_and_attention_factor()
    {
        var c = Edited(o =>
        {
            o["rope_scaling"]!["type"] = "su";
            o["rope_scaling"]!["original_max_position_embeddings"] = 2048;
            o["rope_scaling"]!["attention_factor"] = 1.25;
            o.Remove("original_max_position_embeddings");
        });
        Assert.Equal(("longrope", 2048, 1.25), (c.RopeScaling!.Type, c.RopeScaling.OriginalMaxPositionEmbeddings, RotaryFrequencies.AttentionScaling(c)));
        AssertSame(c, ModelConfig.Parse(c.ToJson(), "again.json"));
    }

    [Theory]
    [InlineData("rope_scaling.short_factor", "[1.0, 2.0]", "field 'rope_scaling.short_factor': has 2 numbers, expected 48 (head_dim · partial_rotary_factor / 2)")]
    [InlineData("rope_scaling.long_factor", "null", "field 'rope_scaling.long_factor': missing (expected a list of 48 positive numbers")]
    [InlineData("rope_scaling.long_factor", "3.0", "field 'rope_scaling.long_factor': expected a list of 48 positive numbers")]
    [InlineData("rope_scaling.attention_factor", "-1.0", "field 'rope_scaling.attention_factor': -1.0 must be a finite positive number")]
    [InlineData("original_max_position_embeddings", "null", "field 'original_max_position_embeddings': missing (longrope switches factors at it)")]
    [InlineData("original_max_position_embeddings", "0", "field 'original_max_position_embeddings': 0 must be positive")]
    [InlineData("partial_rotary_factor", "0.75", "field 'rope_scaling.short_factor': has 48 numbers, expected 36")]
    [InlineData("partial_rotary_factor", "1.5", "field 'partial_rotary_factor': 1.5 gives 144 rotated dimensions of head_dim 96; expected an even number from 2 to head_dim")]
    [InlineData("partial_rotary_factor", "0.01", "field 'partial_rotary_factor': 0.01 gives 0 rotated dimensions")]
    [InlineData("sliding_window", "0", "field 'sliding_window': 0 must be positive")]
    [InlineData("rope_scaling.type", "\"dynamic\"", "field 'rope_scaling.rope_type': 'dynamic' is not supported")]
    public void Unsupported_or_missing_fields_are_errors_naming_the_field(string field, string value, string expected) =>
        Assert.Contains(expected, ModelConfigTests.RefusedWith(Mini35, field, value).Message);

    [Fact]
    public void A_factor_that_is_not_positive_is_an_error_naming_its_index()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => Edited(o => o["rope_scaling"]!["long_factor"]![5] = 0.0));
        Assert.Contains("field 'rope_scaling.long_factor[5]': 0 must be a finite positive number", error.Message);
    }

    [Fact]
    public void Longrope_frequencies_and_scaling_match_the_formula_worked_by_hand()
    {
        // head_dim 8, θ = 10000: the unscaled frequencies are 10000^(-2i/8) = 1, 0.1, 0.01, 0.001; longrope divides
        // each by its factor, short [1.0, 1.3, 2.1, 3.7] or long [1.1, 2.9, 6.5, 17.0].
        var c = RandomCheckpoints.Config("phi3-longrope-window");
        AssertClose([1.0, 0.1 / 1.3, 0.01 / 2.1, 0.001 / 3.7], RotaryFrequencies.Compute(c));
        AssertClose([1 / 1.1, 0.1 / 2.9, 0.01 / 6.5, 0.001 / 17.0], RotaryFrequencies.Compute(c, longSample: true));
        Assert.Equal(7, RotaryFrequencies.LongSamplesAbove(c));
        // sqrt(1 + ln(256 / 7) / ln 7) = sqrt(1 + 3.59934 / 1.94591) = 1.68809…
        Assert.Equal(1.68809, RotaryFrequencies.AttentionScaling(c), 1e-5);
        Assert.Equal(Math.Sqrt(1 + Math.Log(256.0 / 7) / Math.Log(7)), RotaryFrequencies.AttentionScaling(c), 1e-12);
        // Phi-3.5-mini: 131072 / 4096 = 32 = 2^5 and 4096 = 2^12, so sqrt(1 + 5/12).
        Assert.Equal(Math.Sqrt(17.0 / 12), RotaryFrequencies.AttentionScaling(ModelConfigTests.Parse(Mini35)), 1e-12);
        // No extension beyond the original context: no scaling.
        Assert.Equal(1.0, RotaryFrequencies.AttentionScaling(c with { MaxPositionEmbeddings = 7 }));
    }

    [Fact]
    public void Reads_the_published_Phi_4_mini_config_with_its_partial_rotary_factor()
    {
        var c = ModelConfigTests.Parse(Phi4Mini);
        Assert.Equal((128, 96, 24, 8), (c.HeadDim, c.RotaryDim, c.NumAttentionHeads, c.NumKeyValueHeads));
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal((48, 48), (c.RopeScaling!.ShortFactor!.Count, c.RopeScaling.LongFactor!.Count));
        Assert.Equal(48, RotaryFrequencies.Compute(c, longSample: true).Length);
        // 200064·3072 tied embedding + 32 layers of qkv (24 + 2·8)·128·3072, o 3072², gate_up 2·8192·3072,
        // down 3072·8192 and two norms + the final norm: the model card's 3.8B.
        Assert.Equal(3_836_021_760L, c.ParameterCount);
        Assert.Equal([5120L, 3072], ExpectedTensors.For(c).Single(s => s.Name == "model.layers.0.self_attn.qkv_proj.weight").Shape);
        AssertSame(c, ModelConfig.Parse(c.ToJson(), "again.json"));
    }

    [Fact]
    public void Partial_rotary_factor_turns_only_the_first_dimensions_of_each_head()
    {
        // Phi-4-mini's 0.75 of head_dim 96: 72 rotated dimensions, so 36 frequencies and 36 factors a list.
        var c = Edited(o =>
        {
            o["partial_rotary_factor"] = 0.75;
            o["rope_scaling"]!["short_factor"] = new JsonArray([.. Enumerable.Range(0, 36).Select(i => (JsonNode)(1.0 + i))]);
            o["rope_scaling"]!["long_factor"] = new JsonArray([.. Enumerable.Range(0, 36).Select(i => (JsonNode)(2.0 + i))]);
        });
        Assert.Equal((96, 72), (c.HeadDim, c.RotaryDim));
        var inv = RotaryFrequencies.Compute(c);
        Assert.Equal(36, inv.Length);
        // i = 1: 10000^(-2/72) / short_factor[1] = 10000^(-1/36) / 2.
        Assert.Equal(1.0, inv[1] / (Math.Pow(10000, -1.0 / 36) / 2), 1e-6);
        AssertSame(c, ModelConfig.Parse(c.ToJson(), "again.json"));
        var llama = ModelConfigTests.Edit(Mini4k, o => (o["architectures"], o["partial_rotary_factor"]) = (new JsonArray("LlamaForCausalLM"), 0.5));
        Assert.Contains("field 'partial_rotary_factor': 0.5 is not supported for LlamaForCausalLM",
            Assert.Throws<CheckpointFormatException>(() => ModelConfigTests.Parse(llama)).Message);
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(1.0, actual[i] / expected[i], 1e-6);
    }
}
