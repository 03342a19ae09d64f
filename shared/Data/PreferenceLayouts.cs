using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>The layouts of preference records (<see cref="PreferenceRecord"/>): their names as <c>data_format</c>
/// takes them, what each needs, and which one a record is in.</summary>
public static class PreferenceLayouts
{
    public const string Strings = "pair-strings", Conversational = "trl-conversational", Conversations = "whole-conversations", Hh = "hh";

    public static IReadOnlyList<string> Names { get; } = [Strings, Conversational, Conversations, Hh];

    public static string Needs(string layout) => layout switch
    {
        Strings => "'prompt', 'chosen' and 'rejected' strings, and optional 'system'",
        Conversational => "'prompt', 'chosen' and 'rejected' lists of {\"role\", \"content\"} messages",
        Conversations => "'chosen' and 'rejected' lists of messages sharing the prompt's turns, and optional 'prompt' string",
        Hh => "'chosen' and 'rejected' transcripts \"\\n\\nHuman: …\\n\\nAssistant: …\" and no 'prompt'",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, null),
    };

    /// <summary>The layout a preference record's fields are in; null where 'chosen' and 'rejected' are mistyped.</summary>
    internal static string? ShapeOf(JsonObject record) => (record["chosen"], record["rejected"]) switch
    {
        (JsonValue c, JsonValue) when !record.ContainsKey("prompt") && c.TryGetValue<string>(out var text) && HhTranscript.Is(text) => Hh,
        (JsonValue, JsonValue) => Strings,
        (JsonArray, JsonArray) when record["prompt"] is JsonArray => Conversational,
        (JsonArray, JsonArray) => Conversations,
        _ => null,
    };
}
