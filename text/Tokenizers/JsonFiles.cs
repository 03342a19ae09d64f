using PoFT.Shared;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Text.Tokenizers;

/// <summary>Tokenizer JSON files read so that every error names the file (and the field, where there is one).</summary>
internal static class JsonFiles
{
    public static JsonObject ReadObject(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found", path);
        try
        {
            return StrictJson.ParseNode(File.ReadAllText(path)) as JsonObject
                ?? throw new FormatException($"{path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON: {e.Message}");
        }
    }

    /// <summary>An integer (a token id); anything else, absent included, is an error naming the file and field.</summary>
    public static int Int(string path, string field, JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<int>(out var value) ? value
            : throw new FormatException($"{path}: field '{field}': expected an integer, found {node?.ToJsonString() ?? "nothing"}");

    /// <summary>The string a node holds, or null for anything else (absent included).</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The error for a field whose value this project cannot reproduce exactly.</summary>
    public static FormatException Unsupported(string path, string field, string expected) =>
        new($"{path}: field '{field}' is not supported (expected {expected})");

    /// <summary>true, false, or null when absent; anything else is an error naming the file and field.</summary>
    public static bool? OptionalBool(string path, string field, JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var value) => value,
        _ => throw new FormatException($"{path}: field '{field}': expected true or false, found {node.ToJsonString()}"),
    };
}
