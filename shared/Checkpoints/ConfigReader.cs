using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Shared.Checkpoints;

/// <summary>Typed access to the fields of a config.json, each failure naming the file and the field.</summary>
internal sealed class ConfigReader(JsonObject json, string file)
{
    public CheckpointFormatException Fail(string field, string reason) => new(file, $"field '{field}': {reason}");

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

    public int? OptionalInt(string field) => json[field] is { } n ? Read(field, n, v => v.GetValue<int>(), "an integer") : null;
    // Deserialize, not GetValue<long>: that fails on a node built from an int, as ToJson's are.
    private long? OptionalLong(string field) => json[field] is { } n ? Read(field, n, v => v.Deserialize<long>(), "an integer") : null;
    public double? OptionalDouble(string field) => json[field] is { } n ? Read(field, n, v => v.GetValue<double>(), "a number") : null;
    public bool? OptionalBool(string field) => json[field] is { } n ? Read(field, n, v => v.GetValue<bool>(), "true or false") : null;
    public string? OptionalString(string field) => json[field] is { } n ? Read(field, n, v => v.GetValue<string>(), "a string") : null;

    public IReadOnlyList<string> Array(string field) => json[field] switch
    {
        JsonArray array => [.. array.Select(n => n?.GetValue<string>() ?? throw Fail(field, "null entry"))],
        null => throw Fail(field, "missing (expected e.g. [\"LlamaForCausalLM\"])"),
        _ => throw Fail(field, "expected a list of strings"),
    };

    public void Expect(string field, string supported)
    {
        var value = OptionalString(field) ?? supported;
        if (value != supported)
            throw Fail(field, $"'{value}' is not supported; supported: '{supported}'");
    }

    public IReadOnlyList<int> IntOrIntList(string field) => json[field] switch
    {
        null => [],
        JsonArray array => [.. array.Select(n => n?.GetValue<int>() ?? throw Fail(field, "null entry"))],
        JsonValue v when v.TryGetValue<int>(out var id) => [id],
        _ => throw Fail(field, "expected an integer or a list of integers"),
    };

    public int? SlidingWindow(string architecture)
    {
        if (architecture == "Qwen2ForCausalLM" && OptionalBool("use_sliding_window") == true)
            throw Fail("use_sliding_window", "true is not supported; supported: false");
        return architecture == "MistralForCausalLM" ? OptionalSize("sliding_window", ConfigLimits.MaxPositionEmbeddings) : null;
    }

    public RopeScaling? RopeScaling()
    {
        const string field = "rope_scaling";
        if (json[field] is null)
            return null;
        if (json[field] is not JsonObject block)
            throw Fail(field, "expected an object or null");
        var inner = new ConfigReader(block, file);
        var type = inner.OptionalString("rope_type") ?? inner.OptionalString("type")
            ?? throw Fail(field, "missing 'rope_type'");
        if (type == "default")
            return null;
        if (!PoFT.Shared.Checkpoints.RopeScaling.SupportedTypes.Contains(type))
            throw Fail($"{field}.rope_type", $"'{type}' is not supported; supported: default, {string.Join(", ", PoFT.Shared.Checkpoints.RopeScaling.SupportedTypes)}");
        var factor = inner.OptionalDouble("factor") ?? throw Fail($"{field}.factor", "missing");
        if (type == "linear")
            return new RopeScaling(type, factor);
        return new RopeScaling(type, factor,
            inner.OptionalDouble("low_freq_factor") ?? throw Fail($"{field}.low_freq_factor", "missing"),
            inner.OptionalDouble("high_freq_factor") ?? throw Fail($"{field}.high_freq_factor", "missing"),
            inner.OptionalSize("original_max_position_embeddings", ConfigLimits.MaxPositionEmbeddings) ?? throw Fail($"{field}.original_max_position_embeddings", "missing"));
    }

    private T Read<T>(string field, JsonNode node, Func<JsonNode, T> read, string expected)
    {
        try { return read(node); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw Fail(field, $"expected {expected}, found {node.ToJsonString()}");
        }
    }
}
