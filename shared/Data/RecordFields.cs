using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>The fields SFT and preference records share — messages, texts, ids — read with the errors both
/// report: the field's path in the record and what was expected.</summary>
internal static class RecordFields
{
    public static List<ChatMessage> Messages(JsonArray list, string field, Func<string, DataFormatException> bad) =>
        [.. list.Select((m, i) => Message(m, $"{field}[{i}]", bad))];

    public static string Text(JsonObject o, string field, string where, Func<string, DataFormatException> bad) => o[field] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        null => throw bad($"{where}: missing field '{field}'"),
        _ => throw bad($"{where}: field '{field}' must be a string"),
    };

    /// <summary>The record's <c>id</c> (or <c>prompt_id</c>; or the mapped <paramref name="field"/>), string or integer;
    /// without one, <paramref name="contentId"/>.</summary>
    public static string Id(JsonObject record, string? field, Func<string> contentId, Func<string, DataFormatException> bad)
    {
        field ??= record.ContainsKey("id") ? "id" : record.ContainsKey("prompt_id") ? "prompt_id" : null;
        if (field is null || record[field] is null)
            return contentId();
        return record[field] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) && s.Length > 0 => s,
            JsonValue v when v.TryGetValue<long>(out var n) => n.ToString(CultureInfo.InvariantCulture),
            _ => throw bad($"field '{field}' must be a non-empty string or an integer"),
        };
    }

    /// <summary>The record's per-sample loss weight, <c>"weight"</c>: a finite number ≥ 0; absent or null, 1.</summary>
    public static double Weight(JsonObject record, Func<string, DataFormatException> bad)
    {
        var node = record[WeightField];
        if (node is null)
            return 1;
        // JSON text gives doubles; Parquet's integer columns give longs.
        double? w = node is JsonValue v ? v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var n) ? n : null : null;
        if (w is null && node.GetValueKind() == System.Text.Json.JsonValueKind.Number)
            throw bad($"field '{WeightField}' is {node.ToJsonString()}; expected a finite number ≥ 0 (the sample's loss scale)");
        if (w is null)
            throw bad($"field '{WeightField}' must be a number ≥ 0 (the sample's loss scale), not {node.GetValueKind().ToString().ToLowerInvariant()}");
        if (!double.IsFinite(w.Value) || w < 0)
            throw bad($"field '{WeightField}' is {w.Value.ToString(CultureInfo.InvariantCulture)}; expected a finite number ≥ 0 (the sample's loss scale)");
        return w.Value;
    }

    public const string WeightField = "weight";

    public static string Id(JsonObject record, Func<string> contentId, Func<string, DataFormatException> bad) => Id(record, null, contentId, bad);

    /// <summary>16 hex digits of SHA-256 over the roles and contents of the parts, in order; the parts are
    /// separated, so a turn moved from one part to the next changes the id.</summary>
    public static string ContentId(params IEnumerable<IReadOnlyList<ChatMessage>> parts)
    {
        var text = string.Join("\u001d", parts.Select(messages => string.Join("\u001e", messages.Select(m => m.Role + "\u001f" + m.Content))));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary><see cref="ContentId(IEnumerable{IReadOnlyList{ChatMessage}})"/> of a conversation whose <paramref name="context"/>
    /// assistant turns (weight 0) are marked as such: the same turns trained on or not are two samples. Without
    /// context turns, the id is the conversation's as it always was.</summary>
    public static string ContentId(IReadOnlyList<ChatMessage> messages, IReadOnlyList<int>? context) =>
        context is null ? ContentId(messages) : ContentId([.. messages.Select((m, i) => context.Contains(i) ? m with { Role = m.Role + "/context" } : m)]);

    private static ChatMessage Message(JsonNode? node, string where, Func<string, DataFormatException> bad)
    {
        if (node is not JsonObject m)
            throw bad($"{where} must be an object with 'role' and 'content'");
        var role = Text(m, "role", where, bad);
        if (!ChatMessage.Roles.Contains(role))
            throw bad($"{where}.role '{role}' is not one of {string.Join(", ", ChatMessage.Roles)}");
        return new ChatMessage(role, Text(m, "content", where, bad));
    }
}
