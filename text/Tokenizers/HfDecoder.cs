using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// A tokenizer.json decoder for byte-fallback vocabularies: Hugging Face's decode_chain steps (Replace, ByteFallback,
/// Fuse, Strip, Metaspace, or a Sequence of them) applied to the tokens' texts in order, the results then joined.
/// </summary>
public sealed class HfDecoder
{
    private readonly List<Func<List<string>, List<string>>> _steps;

    private HfDecoder(List<Func<List<string>, List<string>>> steps) => _steps = steps;

    public string Decode(IEnumerable<string> tokens)
    {
        var texts = tokens.ToList();
        foreach (var step in _steps)
            texts = step(texts);
        return string.Concat(texts);
    }

    /// <summary>The decoder <paramref name="node"/> describes; null (no decoder) joins the tokens with spaces, as Hugging Face does.</summary>
    public static HfDecoder Read(string path, JsonNode? node)
    {
        if (node is null)
            return new HfDecoder([tokens => [string.Join(' ', tokens)]]);
        var steps = new List<Func<List<string>, List<string>>>();
        if (node is JsonObject sequence && JsonFiles.Text(sequence["type"]) == "Sequence")
        {
            var decoders = sequence["decoders"] as JsonArray ?? throw JsonFiles.Unsupported(path, "decoder.decoders", "an array");
            for (var i = 0; i < decoders.Count; i++)
                steps.Add(Step(path, $"decoder.decoders[{i}]", decoders[i]));
        }
        else
        {
            steps.Add(Step(path, "decoder", node));
        }
        return new HfDecoder(steps);
    }

    private static Func<List<string>, List<string>> Step(string path, string field, JsonNode? node)
    {
        var step = node as JsonObject ?? throw JsonFiles.Unsupported(path, field, "a decoder object");
        switch (JsonFiles.Text(step["type"]))
        {
            case "Replace":
                var pattern = JsonFiles.Text((step["pattern"] as JsonObject)?["String"]);
                if (string.IsNullOrEmpty(pattern))
                    throw JsonFiles.Unsupported(path, $"{field}.pattern", "{\"String\": \"...\"}, not empty");
                var content = JsonFiles.Text(step["content"]) ?? throw JsonFiles.Unsupported(path, $"{field}.content", "a string");
                return tokens => tokens.ConvertAll(t => t.Replace(pattern, content, StringComparison.Ordinal));
            case "ByteFallback":
                return ByteFallback;
            case "Fuse":
                return tokens => [string.Concat(tokens)];
            case "Strip":
                var strip = Char(path, $"{field}.content", step["content"]);
                var (start, stop) = (JsonFiles.Int(path, $"{field}.start", step["start"]), JsonFiles.Int(path, $"{field}.stop", step["stop"]));
                return tokens => tokens.ConvertAll(t => Strip(t, strip, start, stop));
            case "Metaspace":
                var replacement = Char(path, $"{field}.replacement", step["replacement"]);
                var prepend = HfTextJson.ReadPrependScheme(path, field, step);
                // As Hugging Face does: with a prepend scheme, every replacement character of the first token goes.
                return tokens => [.. tokens.Select((t, i) => i == 0 && prepend != PrependScheme.Never
                    ? t.Replace(replacement.ToString(), "", StringComparison.Ordinal)
                    : t.Replace(replacement, ' '))];
            default:
                throw JsonFiles.Unsupported(path, $"{field}.type", "Replace, ByteFallback, Fuse, Strip, Metaspace or a Sequence of them");
        }
    }

    // Runs of <0xXX> tokens become the text their bytes spell, or one U+FFFD per byte when they are not UTF-8.
    private static List<string> ByteFallback(List<string> tokens)
    {
        var result = new List<string>();
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            if (token is ['<', '0', 'x', _, _, '>'] && byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, null, out var b))
            {
                bytes.Add(b);
                continue;
            }
            Flush(result, bytes);
            result.Add(token);
        }
        Flush(result, bytes);
        return result;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void Flush(List<string> result, List<byte> bytes)
    {
        if (bytes.Count == 0)
            return;
        try
        {
            result.Add(StrictUtf8.GetString([.. bytes]));
        }
        catch (DecoderFallbackException)
        {
            result.AddRange(Enumerable.Repeat("\uFFFD", bytes.Count));
        }
        bytes.Clear();
    }

    // Up to start leading and stop trailing characters equal to c removed.
    private static string Strip(string token, char c, int start, int stop)
    {
        var from = 0;
        while (from < Math.Min(start, token.Length) && token[from] == c)
            from++;
        var to = token.Length;
        while (token.Length - to < stop && to > from && token[to - 1] == c)
            to--;
        return token[from..to];
    }

    private static char Char(string path, string field, JsonNode? node) =>
        JsonFiles.Text(node) is [var c] ? c : throw JsonFiles.Unsupported(path, field, "a one-character string");
}
