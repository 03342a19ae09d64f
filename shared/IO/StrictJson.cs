using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Shared;

public static class StrictJson
{
    /// <summary>Parse options that refuse a duplicate property: by default one value silently wins (JsonDocument)
    /// or the first lookup throws an exception naming no file (JsonNode), and a duplicated tensor, field or
    /// vocabulary entry means the file says two things at once.</summary>
    public static readonly JsonDocumentOptions NoDuplicates = new() { AllowDuplicateProperties = false };

    /// <summary>JSON parsed with <see cref="NoDuplicates"/>; every malformed text is a <see cref="JsonException"/>.</summary>
    /// <exception cref="JsonException">Not valid JSON, a repeated property, or a property name that is not valid UTF-16.</exception>
    public static JsonNode? ParseNode(string json) => Parse(() => Decoded(JsonNode.Parse(json, documentOptions: NoDuplicates)));

    // A string value is unescaped only when read, and one holding a lone surrogate ("\ud800") then throws
    // InvalidOperationException wherever the reader happens to read it (found by fuzzing: scripts/fuzz.sh data), so
    // every string is read once here, inside the parse.
    private static JsonNode? Decoded(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o)
                    Decoded(value);
                break;
            case JsonArray a:
                foreach (var item in a)
                    Decoded(item);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                _ = v.GetValue<string>();
                break;
        }
        return node;
    }

    /// <inheritdoc cref="ParseNode"/>
    /// <remarks>The bytes are checked to be UTF-8 first: JsonDocument checks the syntax of bytes but decodes a string
    /// only when it is read, and a string of invalid UTF-8 then throws InvalidOperationException (found by fuzzing:
    /// scripts/fuzz.sh safetensors, a tensor name).</remarks>
    public static JsonDocument ParseDocument(ReadOnlyMemory<byte> json)
    {
        try { _ = StrictUtf8.GetCharCount(json.Span); }
        catch (DecoderFallbackException e)
        {
            throw new JsonException($"invalid UTF-8 at byte {e.Index} (counting from 0)");
        }
        return Parse(() => JsonDocument.Parse(json, NoDuplicates));
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // System.Text.Json compares property names for duplicates unescaped, and unescaping a name that holds a lone
    // surrogate ("\ud800") throws InvalidOperationException ("incomplete UTF-16"), where the same escape in a value is
    // read without complaint (found by fuzzing: scripts/fuzz.sh tokenizer).
    private static T Parse<T>(Func<T> parse)
    {
        try { return parse(); }
        catch (InvalidOperationException e)
        {
            throw new JsonException($"a property name or string is not valid UTF-16: {e.Message}", e);
        }
    }
}
