using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Checkpoints;

/// <summary>Typed access to the fields of a config.json, each failure naming the file and the field.</summary>
/// <param name="prefix">Path of the enclosing block in field names (<c>rope_scaling.</c>), empty at the top.</param>
internal sealed class ConfigReader(JsonObject json, string file, string prefix = "")
{
    // torch_dtype names as Hugging Face writes them (torch attribute names, aliases included), to the canonical one.
    private static readonly IReadOnlyDictionary<string, string> TorchDtypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["float32"] = "float32",
        ["float"] = "float32",
        ["bfloat16"] = "bfloat16",
        ["float16"] = "float16",
        ["half"] = "float16",
    };

    public CheckpointFormatException Fail(string field, string reason) => new(file, $"field '{prefix}{field}': {reason}");

    /// <summary>A required size in [1, <paramref name="limit"/>] (see <see cref="ConfigLimits"/>).</summary>
    public int Size(string field, int limit) =>
        OptionalSize(field, limit) ?? throw Fail(field, $"missing (expected a positive integer up to {limit})");

    // Read as a long so that a value too large for an int is reported against its limit, not as a type error.
    public int? OptionalSize(string field, int limit)
    {
        if (OptionalLong(field) is not { } value)
            return null;
        if (value <= 0)
            throw Fail(field, $"{value} must be positive");
        return value <= limit ? (int)value : throw Fail(field, $"{value} exceeds the limit of {limit}");
    }

    /// <summary>A required number that must be finite and positive (epsilons, RoPE bases and factors): zero,
    /// a negative or an infinite value would make every forward pass compute NaN or nonsense.</summary>
    public double PositiveNumber(string field) =>
        OptionalPositiveNumber(field) ?? throw Fail(field, "missing (expected a finite positive number)");

    public double? OptionalPositiveNumber(string field) => OptionalDouble(field) switch
    {
        null => null,
        var value when double.IsFinite(value.Value) && value > 0 => value,
        _ => throw Fail(field, $"{json[field]!.ToJsonString()} must be a finite positive number"),
    };

    /// <summary>A required list of exactly <paramref name="count"/> finite positive numbers (longrope's factors,
    /// one per rotated frequency, rotated dimensions / 2: each divides one).</summary>
    public IReadOnlyList<double> PositiveNumbers(string field, int count)
    {
        var array = json[field] switch
        {
            JsonArray a => a,
            null => throw Fail(field, $"missing (expected a list of {count} positive numbers, head_dim · partial_rotary_factor / 2)"),
            _ => throw Fail(field, $"expected a list of {count} positive numbers (head_dim · partial_rotary_factor / 2)"),
        };
        if (array.Count != count)
            throw Fail(field, $"has {array.Count} numbers, expected {count} (head_dim · partial_rotary_factor / 2)");
        return [.. array.Select((n, i) => Read($"{field}[{i}]", n ?? throw Fail($"{field}[{i}]", "null entry"), v => v.GetValue<double>(), "a number") switch
        {
            var v when double.IsFinite(v) && v > 0 => v,
            var v => throw Fail($"{field}[{i}]", $"{v} must be a finite positive number"),
        })];
    }

    /// <summary>A token id, which must be an id of the embedding: [0, <paramref name="vocabSize"/>).</summary>
    public int? OptionalTokenId(string field, int vocabSize) => json[field] is { } n ? TokenId(field, n, vocabSize) : null;

    /// <summary>An id or a list of ids (Hugging Face writes eos_token_id either way), each in [0, vocab_size).</summary>
    public IReadOnlyList<int> TokenIds(string field, int vocabSize) => json[field] switch
    {
        null => [],
        JsonArray array => [.. array.Select((n, i) => TokenId($"{field}[{i}]", n ?? throw Fail(field, "null entry"), vocabSize))],
        var n => [TokenId(field, n, vocabSize)],
    };

    public int? OptionalInt(string field) => json[field] is { } n ? Read(field, n, v => v.GetValue<int>(), "an integer") : null;
    public bool? OptionalBool(string field) => json[field] is { } n ? Read(field, n, v => v.GetValue<bool>(), "true or false") : null;
    public string? OptionalString(string field) => json[field] is { } n ? Read(field, n, v => v.GetValue<string>(), "a string") : null;

    /// <summary>A nested block such as <c>rope_scaling</c>, whose errors name its fields in full.</summary>
    public ConfigReader? OptionalObject(string field) => json[field] switch
    {
        null => null,
        JsonObject block => new ConfigReader(block, file, $"{prefix}{field}."),
        _ => throw Fail(field, "expected an object or null"),
    };

    public IReadOnlyList<string> Array(string field) => json[field] switch
    {
        JsonArray array => [.. array.Select((n, i) => Read($"{field}[{i}]", n ?? throw Fail($"{field}[{i}]", "null entry"), v => v.GetValue<string>(), "a string"))],
        null => throw Fail(field, "missing (expected e.g. [\"LlamaForCausalLM\"])"),
        _ => throw Fail(field, "expected a list of strings"),
    };

    public void Expect(string field, string supported)
    {
        var value = OptionalString(field) ?? supported;
        if (value != supported)
            throw Fail(field, $"'{value}' is not supported; supported: '{supported}'");
    }

    /// <summary>The weights' dtype, canonical. Only float dtypes: a quantized checkpoint's weights (int4, int8)
    /// would be misread. Newer transformers write <c>dtype</c> instead of <c>torch_dtype</c>.</summary>
    public string TorchDtype()
    {
        var field = json["torch_dtype"] is null ? "dtype" : "torch_dtype";
        var value = OptionalString(field) ?? "float32";
        return TorchDtypes.TryGetValue(value, out var canonical) ? canonical
            : throw Fail(field, $"'{value}' is not supported; supported: {string.Join(", ", TorchDtypes.Keys)}");
    }

    /// <summary>Mistral's and Phi-3's window (Phi3Attention passes sliding_window to its attention, transformers'
    /// modeling_phi3.py, commit 43c2b481); Qwen's is refused, the others have none.</summary>
    public int? SlidingWindow(string architecture)
    {
        if (architecture is "Qwen2ForCausalLM" or "Qwen3ForCausalLM")
            RefuseQwenSlidingWindow();
        return architecture is "MistralForCausalLM" or "Phi3ForCausalLM" ? OptionalSize("sliding_window", ConfigLimits.MaxPositionEmbeddings) : null;
    }

    // Qwen's sliding_window and max_window_layers only count when use_sliding_window is true; newer configs
    // also spell the per-layer choice out in layer_types (configuration_qwen3.py, transformers commit 1f3ae2b3).
    private void RefuseQwenSlidingWindow()
    {
        if (OptionalBool("use_sliding_window") == true)
            throw Fail("use_sliding_window", "true is not supported; supported: false");
        if (json["layer_types"] is not { } types)
            return;
        var layers = types as JsonArray ?? throw Fail("layer_types", "expected a list of strings");
        for (var i = 0; i < layers.Count; i++)
        {
            var field = $"layer_types[{i}]";
            var type = Read(field, layers[i] ?? throw Fail(field, "null entry"), v => v.GetValue<string>(), "a string");
            if (type != "full_attention")
                throw Fail(field, $"'{type}' is not supported; supported: 'full_attention'");
        }
    }

    /// <summary>Gemma's layer kinds: <c>layer_types</c> where given, else every <paramref name="pattern"/>-th
    /// layer global and the rest sliding, as Gemma2Config and Gemma3TextConfig derive them.</summary>
    public IReadOnlyList<string> GemmaLayerTypes(int layers, int pattern)
    {
        if (json["layer_types"] is null)
            return [.. Enumerable.Range(0, layers).Select(i => (i + 1) % pattern != 0 ? ModelConfig.SlidingAttention : ModelConfig.FullAttention)];
        var types = json["layer_types"] as JsonArray ?? throw Fail("layer_types", "expected a list of strings");
        if (types.Count != layers)
            throw Fail("layer_types", $"{types.Count} entries, expected one per layer ({layers}, num_hidden_layers)");
        return [.. types.Select((node, i) =>
        {
            var field = $"layer_types[{i}]";
            var type = Read(field, node ?? throw Fail(field, "null entry"), v => v.GetValue<string>(), "a string");
            return type is ModelConfig.SlidingAttention or ModelConfig.FullAttention ? type
                : throw Fail(field, $"'{type}' is not supported; supported: '{ModelConfig.SlidingAttention}', '{ModelConfig.FullAttention}'");
        })];
    }

    /// <summary>Gemma's window, 4096 where absent as its configs default it. Null, which Gemma2Config lets
    /// through, is refused: its sliding layers would have no window to slide.</summary>
    public int GemmaSlidingWindow() => json.ContainsKey("sliding_window") && json["sliding_window"] is null
        ? throw Fail("sliding_window", "null is not supported for Gemma; expected a positive integer")
        : OptionalSize("sliding_window", ConfigLimits.MaxPositionEmbeddings) ?? 4096;

    /// <summary>A softcap: <paramref name="absent"/> when the field is missing, none when it is null.</summary>
    public double? Softcap(string field, double? absent) => json.ContainsKey(field) ? OptionalPositiveNumber(field) : absent;

    /// <summary>What Gemma configs can ask for that this project does not compute: bidirectional attention, and
    /// the per-layer-type <c>rope_parameters</c> of newer transformers, which would replace rope_theta,
    /// rope_local_base_freq and rope_scaling.</summary>
    public void RefuseGemmaExtensions()
    {
        if (OptionalBool("use_bidirectional_attention") == true)
            throw Fail("use_bidirectional_attention", "true is not supported; supported: false");
        if (json["rope_parameters"] is not null)
            throw Fail("rope_parameters", "not supported; write rope_theta, rope_local_base_freq and rope_scaling instead");
    }

    private int TokenId(string field, JsonNode node, int vocabSize)
    {
        var id = Read(field, node, v => v.Deserialize<long>(), "an integer");
        return id >= 0 && id < vocabSize ? (int)id : throw Fail(field, $"{id} is not an id of the vocabulary: expected 0 to {vocabSize - 1} (vocab_size {vocabSize})");
    }

    // Deserialize, not GetValue<long>: that fails on a node built from an int, as ToJson's are.
    private long? OptionalLong(string field) => json[field] is { } n ? Read(field, n, v => v.Deserialize<long>(), "an integer") : null;
    private double? OptionalDouble(string field) => json[field] is { } n ? Read(field, n, v => v.GetValue<double>(), "a number") : null;

    private T Read<T>(string field, JsonNode node, Func<JsonNode, T> read, string expected)
    {
        try { return read(node); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw Fail(field, $"expected {expected}, found {node.ToJsonString()}");
        }
    }
}
