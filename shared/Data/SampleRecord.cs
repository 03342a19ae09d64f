using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>
/// One record of an SFT data file (a JSONL line or a Parquet row, both seen as a JSON object) turned into
/// an <see cref="SftSample"/>. Accepted shapes:
/// <c>{"messages": [{"role", "content"}, ...]}</c> (UltraChat style, multi-turn) or
/// <c>{"prompt", "response", "system"?}</c>; optional <c>"id"</c> (or <c>"prompt_id"</c>), string or integer,
/// and <c>"is_noise"</c> (bool). Without an id, the id is derived from the content, so it is stable across
/// runs, shards and file orders.
/// </summary>
public static class SampleRecord
{
    public const string NoiseField = "is_noise";

    public static SftSample Parse(JsonObject record, string location)
    {
        DataFormatException Bad(string reason) => new(location, reason);
        var messages = record["messages"] switch
        {
            JsonArray list => list.Select((m, i) => Message(m, i, Bad)).ToList(),
            null when record.ContainsKey("prompt") || record.ContainsKey("response") => FromPromptResponse(record, Bad),
            null => throw Bad("missing field 'messages' (or 'prompt' and 'response')"),
            _ => throw Bad("field 'messages' must be a list of {\"role\", \"content\"} objects"),
        };
        if (messages.Count == 0)
            throw Bad("field 'messages' is empty");
        if (!messages.Any(m => m.Role == ChatMessage.Assistant))
            throw Bad("no assistant message: nothing to score as a response");
        var emptyAt = messages.FindIndex(m => m.Role == ChatMessage.Assistant && string.IsNullOrWhiteSpace(m.Content));
        if (emptyAt >= 0)
            throw Bad($"messages[{emptyAt}]: empty assistant response");
        var isNoise = record[NoiseField] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw Bad($"field '{NoiseField}' must be true or false"),
        };
        return new SftSample(Id(record, messages, Bad), messages, isNoise);
    }

    /// <summary>The id a record without one gets: 16 hex digits of SHA-256 over roles and contents.</summary>
    public static string ContentId(IReadOnlyList<ChatMessage> messages)
    {
        var text = string.Join("\u001e", messages.Select(m => m.Role + "\u001f" + m.Content));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static string Id(JsonObject record, List<ChatMessage> messages, Func<string, DataFormatException> bad)
    {
        var field = record.ContainsKey("id") ? "id" : record.ContainsKey("prompt_id") ? "prompt_id" : null;
        if (field is null || record[field] is null)
            return ContentId(messages);
        return record[field] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
            JsonValue v when v.TryGetValue<long>(out var n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw bad($"field '{field}' must be a non-empty string or an integer"),
        };
    }

    private static ChatMessage Message(JsonNode? node, int index, Func<string, DataFormatException> bad)
    {
        if (node is not JsonObject m)
            throw bad($"messages[{index}] must be an object with 'role' and 'content'");
        var role = Text(m, "role", $"messages[{index}]", bad);
        if (!ChatMessage.Roles.Contains(role))
            throw bad($"messages[{index}].role '{role}' is not one of {string.Join(", ", ChatMessage.Roles)}");
        return new ChatMessage(role, Text(m, "content", $"messages[{index}]", bad));
    }

    private static List<ChatMessage> FromPromptResponse(JsonObject record, Func<string, DataFormatException> bad)
    {
        var messages = new List<ChatMessage>();
        if (record["system"] is not null)
            messages.Add(new ChatMessage(ChatMessage.System, Text(record, "system", "record", bad)));
        messages.Add(new ChatMessage(ChatMessage.User, Text(record, "prompt", "record", bad)));
        messages.Add(new ChatMessage(ChatMessage.Assistant, Text(record, "response", "record", bad)));
        return messages;
    }

    private static string Text(JsonObject o, string field, string where, Func<string, DataFormatException> bad) => o[field] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        null => throw bad($"{where}: missing field '{field}'"),
        _ => throw bad($"{where}: field '{field}' must be a string"),
    };
}
