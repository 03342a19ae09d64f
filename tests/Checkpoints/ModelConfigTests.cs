using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Checkpoints;

public class ModelConfigTests
{
    // The config.json of Llama-3.1-8B-Instruct as published, fields as Hugging Face writes them.
    internal const string Llama31 = """
        {"architectures":["LlamaForCausalLM"],"attention_bias":false,"attention_dropout":0.0,"bos_token_id":128000,
         "eos_token_id":[128001,128008,128009],"hidden_act":"silu","hidden_size":4096,"initializer_range":0.02,
         "intermediate_size":14336,"max_position_embeddings":131072,"mlp_bias":false,"model_type":"llama",
         "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,"pretraining_tp":1,"rms_norm_eps":1e-05,
         "rope_scaling":{"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192,"rope_type":"llama3"},
         "rope_theta":500000.0,"tie_word_embeddings":false,"torch_dtype":"bfloat16","transformers_version":"4.43.0.dev0","use_cache":true,"vocab_size":128256}
        """;

    internal static ModelConfig Parse(string json) => ModelConfig.Parse(JsonNode.Parse(json)!.AsObject(), "config.json");

    internal static string Edit(string json, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    /// <summary>The error <paramref name="json"/> gives with one field set to <paramref name="value"/> (JSON text;
    /// <c>null</c> removes the field; a dotted field is one inside an object), checked to name a field of config.json.</summary>
    internal static CheckpointFormatException RefusedWith(string json, string field, string value) =>
        Assert.Throws<CheckpointFormatException>(() => Parse(Edit(json, o =>
        {
            var path = field.Split('.');
            var parent = path[..^1].Aggregate(o, (node, name) => node[name]!.AsObject());
            if (JsonNode.Parse(value) is { } node)
                parent[path[^1]] = node;
            else
                parent.Remove(path[^1]);
        }))) is var error && error.Message.StartsWith("config.json: field '", StringComparison.Ordinal)
            ? error
            : throw new Xunit.Sdk.XunitException($"expected an error naming a field of config.json, got: {error.Message}");

    [Fact]
    public void Reads_a_published_Llama_3_1_config()
    {
        var c = Parse(Llama31);
        Assert.Equal((4096, 14336, 32, 32, 8, 128), (c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim));
        Assert.Equal([128001, 128008, 128009], c.EosTokenIds);
        Assert.Equal(new RopeScaling("llama3", 8, 1, 4, 8192), c.RopeScaling);
        Assert.False(c.TieWordEmbeddings);
        Assert.Equal(8_030_261_248L, c.ParameterCount);
    }

    [Fact]
    public void A_field_written_twice_is_an_error_naming_the_file()
    {
        using var temp = new TempDirectory();
        var path = temp.File("config.json");
        File.WriteAllText(path, Llama31.Replace("\"vocab_size\":128256}", "\"vocab_size\":128256,\"vocab_size\":1000}", StringComparison.Ordinal));
        var error = Assert.Throws<CheckpointFormatException>(() => ModelConfig.Load(path));
        Assert.Contains($"{path}: not valid JSON: Duplicate property 'vocab_size'", error.Message);
    }

    [Fact]
    public void Round_trips_through_json()
    {
        var c = Parse(Llama31);
        var again = ModelConfig.Parse(c.ToJson(), "again.json");
        Assert.Equal(c with { EosTokenIds = [] }, again with { EosTokenIds = [] });
        Assert.Equal(c.EosTokenIds, again.EosTokenIds);
    }

    [Theory]
    [InlineData("architectures", "[\"GPT2LMHeadModel\"]", "supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM")]
    [InlineData("hidden_act", "\"gelu\"", "supported: 'silu'")]
    [InlineData("mlp_bias", "true", "mlp_bias")]
    [InlineData("num_key_value_heads", "5", "divide num_attention_heads")]
    [InlineData("rope_scaling", "{\"rope_type\":\"yarn\",\"factor\":4.0}", "'yarn' is not supported")]
    // Found by fuzzing (scripts/fuzz.sh config): an entry that is not a string was a .NET InvalidOperationException.
    [InlineData("architectures", "[64, \"LlamaForCausalLM\"]", "field 'architectures[0]': expected a string, found 64")]
    [InlineData("hidden_size", "\"big\"", "field 'hidden_size': expected an integer")]
    [InlineData("hidden_size", "4095", "field 'hidden_size': 4095 is not divisible by num_attention_heads (32)")]
    [InlineData("max_position_embeddings", "0", "field 'max_position_embeddings': 0 must be positive")]
    [InlineData("rms_norm_eps", "-1", "field 'rms_norm_eps': -1 must be a finite positive number")]
    [InlineData("rms_norm_eps", "1e999", "field 'rms_norm_eps': 1e999 must be a finite positive number")]
    [InlineData("rope_theta", "0", "field 'rope_theta': 0 must be a finite positive number")]
    [InlineData("eos_token_id", "128256", "field 'eos_token_id': 128256 is not an id of the vocabulary: expected 0 to 128255")]
    [InlineData("eos_token_id", "[128001, -2]", "field 'eos_token_id[1]': -2 is not an id of the vocabulary")]
    [InlineData("bos_token_id", "-1", "field 'bos_token_id': -1 is not an id of the vocabulary")]
    [InlineData("bos_token_id", "1099511627776", "field 'bos_token_id': 1099511627776 is not an id of the vocabulary")]
    [InlineData("torch_dtype", "\"int4\"", "field 'torch_dtype': 'int4' is not supported; supported: float32, float, bfloat16, float16, half")]
    [InlineData("rope_scaling", "{\"rope_type\":\"linear\",\"factor\":-1}", "field 'rope_scaling.factor': -1 must be a finite positive number")]
    [InlineData("rope_scaling", Llama3RopeBefore + "\"factor\":0,\"low_freq_factor\":1,\"high_freq_factor\":4,\"original_max_position_embeddings\":8192}", "field 'rope_scaling.factor': 0 must be")]
    [InlineData("rope_scaling", Llama3RopeBefore + "\"factor\":8,\"low_freq_factor\":-1,\"high_freq_factor\":4,\"original_max_position_embeddings\":8192}", "field 'rope_scaling.low_freq_factor': -1 must be")]
    [InlineData("rope_scaling", Llama3RopeBefore + "\"factor\":8,\"low_freq_factor\":1,\"high_freq_factor\":1e999,\"original_max_position_embeddings\":8192}", "field 'rope_scaling.high_freq_factor': 1e999 must be")]
    [InlineData("rope_scaling", Llama3RopeBefore + "\"factor\":8,\"low_freq_factor\":4,\"high_freq_factor\":1,\"original_max_position_embeddings\":8192}", "field 'rope_scaling.high_freq_factor': 1 must be greater than low_freq_factor (4)")]
    [InlineData("rope_scaling", Llama3RopeBefore + "\"factor\":8,\"low_freq_factor\":1,\"high_freq_factor\":4,\"original_max_position_embeddings\":0}", "field 'rope_scaling.original_max_position_embeddings': 0 must be positive")]
    public void Unsupported_values_are_errors_naming_the_field(string field, string value, string expected)
    {
        var json = Edit(Llama31, o => o[field] = JsonNode.Parse(value));
        var error = Assert.Throws<CheckpointFormatException>(() => Parse(json));
        Assert.StartsWith("config.json: field '", error.Message);
        Assert.Contains(expected, error.Message);
    }

    private const string Llama3RopeBefore = "{\"rope_type\":\"llama3\",";

    [Theory]
    [InlineData("torch_dtype", "half", "float16")]
    [InlineData("torch_dtype", "float", "float32")]
    [InlineData("dtype", "half", "float16")]
    public void Torch_dtype_aliases_read_as_the_canonical_name(string field, string value, string canonical)
    {
        var json = Edit(Llama31, o =>
        {
            o.Remove("torch_dtype");
            o[field] = value;
        });
        Assert.Equal(canonical, Parse(json).TorchDtype);
    }

    [Fact]
    public void Llama3_rope_scaling_matches_the_formula_worked_by_hand()
    {
        var c = Parse(Llama31);
        var inv = RotaryFrequencies.Compute(c);
        Assert.Equal(64, inv.Length);
        // i = 0: wavelength 2π < 8192/4 = 2048, a high frequency: unchanged.
        Assert.Equal(1.0f, inv[0]);
        // i = 63: base^(-126/128) = 500000^-0.984375, wavelength > 8192: divided by the factor 8.
        Assert.Equal(Math.Pow(500000, -126.0 / 128) / 8, inv[63], 1e-12);
        // i = 32: base^(-64/128); its wavelength lies between 2048 and 8192, so it is interpolated with
        // smooth = (8192 / wavelength - 1) / (4 - 1).
        var f = Math.Pow(500000, -64.0 / 128);
        var wavelength = 2 * Math.PI / f;
        Assert.InRange(wavelength, 2048, 8192);
        var smooth = (8192 / wavelength - 1) / 3;
        Assert.Equal((1 - smooth) * f / 8 + smooth * f, inv[32], 1e-9);
    }
}
