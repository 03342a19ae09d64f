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
        if (record.ContainsKey("chosen") || record.ContainsKey("rejected"))
            throw Bad("a preference record ('chosen', 'rejected') in an SFT data file: expected 'messages', or 'prompt' and 'response' " +
                "(a file whose first record has 'chosen' and 'rejected' is read as preference data)");
        var messages = record["messages"] switch
        {
            JsonArray list => RecordFields.Messages(list, "messages", Bad),
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
        return new SftSample(RecordFields.Id(record, () => ContentId(messages), Bad), messages, isNoise);
    }

    /// <summary>The id a record without one gets: 16 hex digits of SHA-256 over roles and contents.</summary>
    public static string ContentId(IReadOnlyList<ChatMessage> messages) => RecordFields.ContentId(messages);

    private static List<ChatMessage> FromPromptResponse(JsonObject record, Func<string, DataFormatException> bad)
    {
        var messages = new List<ChatMessage>();
        if (record["system"] is not null)
            messages.Add(new ChatMessage(ChatMessage.System, RecordFields.Text(record, "system", "record", bad)));
        messages.Add(new ChatMessage(ChatMessage.User, RecordFields.Text(record, "prompt", "record", bad)));
        messages.Add(new ChatMessage(ChatMessage.Assistant, RecordFields.Text(record, "response", "record", bad)));
        return messages;
    }
}
