using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PoFT.Shared.Data;

/// <summary>
/// Where a data file that is not in one of the named layouts keeps its parts (as axolotl's
/// <c>message_property_mappings</c> and LLaMA-Factory's dataset <c>columns</c>/<c>tags</c> say it): the field holding
/// the turns, the prompt, the response, the system prompt or the id; the keys naming each turn's role and content
/// (and its weight); and a role map from the file's role names to <c>system</c>, <c>user</c>, <c>assistant</c>.
/// A mapped name replaces the layout's default (<c>messages</c>, <c>role</c>, …); unmapped ones keep it. Written
/// as one JSON object, the same in the train config (<c>data_columns</c>) and in the <c>--data-columns</c> flag of
/// every verb: <see cref="Parse(string, string)"/> reads both.
/// </summary>
[JsonConverter(typeof(ColumnMappingConverter))]
public sealed record ColumnMapping
{
    public string? Messages { get; init; }
    public string? Prompt { get; init; }
    public string? Response { get; init; }
    public string? System { get; init; }
    public string? Id { get; init; }
    public string? Role { get; init; }
    public string? Content { get; init; }
    public string? Weight { get; init; }

    /// <summary>The file's role names to ours; added to (and overriding) a layout's own map.</summary>
    public IReadOnlyDictionary<string, string> Roles { get; init; } = new Dictionary<string, string>();

    public static ColumnMapping None { get; } = new();

    private static readonly string[] Keys = ["messages", "prompt", "response", "system", "id", "role", "content", "weight", "roles"];

    /// <summary>Reads <c>{"messages": "conversation", "role": "speaker", "roles": {"bot": "assistant"}, …}</c>.</summary>
    /// <param name="source">Where the text came from, for errors: <c>--data-columns</c>, or a config's field.</param>
    public static ColumnMapping Parse(string json, string source)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException e) { throw Fail(source, $"not valid JSON: {e.Message}"); }
        return Parse(node, source);
    }

    public static ColumnMapping Parse(JsonNode? node, string source)
    {
        if (node is not JsonObject o)
            throw Fail(source, $"expected a JSON object such as {{\"messages\": \"conversation\", \"role\": \"speaker\", \"roles\": {{\"bot\": \"assistant\"}}}}");
        foreach (var (key, _) in o)
            if (!Keys.Contains(key))
                throw Fail(source, $"unknown key '{key}'; expected {string.Join(", ", Keys)}");
        string? Name(string key) => o[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
            _ => throw Fail(source, $"'{key}' must be a field name (a non-empty string)"),
        };
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (o["roles"])
        {
            case null:
                break;
            case JsonObject map:
                foreach (var (from, to) in map)
                {
                    var role = to is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                    if (role is null || !ChatMessage.Roles.Contains(role))
                        throw Fail(source, $"roles.{from}: expected one of {string.Join(", ", ChatMessage.Roles)}");
                    roles[from] = role;
                }
                break;
            default:
                throw Fail(source, $"'roles' must be an object from the file's role names to {string.Join(", ", ChatMessage.Roles)}");
        }
        return new ColumnMapping
        {
            Messages = Name("messages"), Prompt = Name("prompt"), Response = Name("response"), System = Name("system"),
            Id = Name("id"), Role = Name("role"), Content = Name("content"), Weight = Name("weight"), Roles = roles,
        };
    }

    private static FormatException Fail(string source, string reason) => new(source.Length == 0 ? reason : $"{source}: {reason}");

    /// <summary>The mapping as the JSON object <see cref="Parse(JsonNode?, string)"/> reads.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        foreach (var (key, value) in new[] { ("messages", Messages), ("prompt", Prompt), ("response", Response), ("system", System), ("id", Id),
            ("role", Role), ("content", Content), ("weight", Weight) })
            if (value is not null)
                o[key] = value;
        if (Roles.Count > 0)
            o["roles"] = new JsonObject(Roles.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value)));
        return o;
    }

    public bool Equals(ColumnMapping? other) => other is not null && ToJson().ToJsonString() == other.ToJson().ToJsonString();

    public override int GetHashCode() => ToJson().ToJsonString().GetHashCode(StringComparison.Ordinal);

    private sealed class ColumnMappingConverter : JsonConverter<ColumnMapping>
    {
        public override ColumnMapping Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // No source: the config's reader names the field and the file.
            try { return Parse(JsonNode.Parse(ref reader), ""); }
            catch (FormatException e) { throw new JsonException(e.Message); }
        }

        public override void Write(Utf8JsonWriter writer, ColumnMapping value, JsonSerializerOptions options) => value.ToJson().WriteTo(writer);
    }
}
