using System.Text.Json.Nodes;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// Reads the normalizer and pre-tokenizer of a byte-fallback tokenizer.json as steps on <see cref="AlignedText"/>:
/// normalizers Prepend and Replace (of a string), alone or in a Sequence; pre-tokenizers Metaspace and Split.
/// </summary>
internal static class HfTextJson
{
    public static Func<AlignedText, AlignedText> Normalizer(string path, JsonNode? node)
    {
        if (node is null)
            return text => text;
        if (node is JsonObject sequence && JsonFiles.Text(sequence["type"]) == "Sequence")
        {
            var items = sequence["normalizers"] as JsonArray ?? throw JsonFiles.Unsupported(path, "normalizer.normalizers", "an array");
            var steps = items.Select((item, i) => NormalizerStep(path, $"normalizer.normalizers[{i}]", item)).ToList();
            return text => steps.Aggregate(text, (t, step) => step(t));
        }
        return NormalizerStep(path, "normalizer", node);
    }

    public static List<Func<AlignedText, IEnumerable<AlignedText>>> PreTokenizer(string path, JsonNode? node)
    {
        var steps = new List<Func<AlignedText, IEnumerable<AlignedText>>>();
        foreach (var (field, step) in HfPreTokenizerJson.Steps(path, node))
        {
            switch (JsonFiles.Text(step["type"]))
            {
                case "Metaspace":
                    steps.Add(Metaspace(path, field, step).PreTokenize);
                    break;
                case "Split":
                    var split = HfPreTokenizerJson.Split(path, field, step);
                    steps.Add(piece => split.Split(piece.Text, 0, piece.Text.Length).Select(p => piece.Slice(p.Offset, p.Length)));
                    break;
                default:
                    throw JsonFiles.Unsupported(path, $"{field}.type", "Metaspace or Split (with byte_fallback)");
            }
        }
        return steps;
    }

    /// <summary>A Metaspace's prepend_scheme, "always" when absent.</summary>
    public static PrependScheme ReadPrependScheme(string path, string field, JsonObject metaspace)
    {
        var scheme = JsonFiles.Text(metaspace["prepend_scheme"]) switch
        {
            null when metaspace["prepend_scheme"] is null => PrependScheme.Always,
            "always" => PrependScheme.Always,
            "first" => PrependScheme.First,
            "never" => PrependScheme.Never,
            _ => throw JsonFiles.Unsupported(path, $"{field}.prepend_scheme", "\"always\", \"first\" or \"never\""),
        };
        // The older add_prefix_space: Hugging Face accepts false only with "never".
        if (JsonFiles.OptionalBool(path, $"{field}.add_prefix_space", metaspace["add_prefix_space"]) == false && scheme != PrependScheme.Never)
            throw JsonFiles.Unsupported(path, $"{field}.add_prefix_space", "true, or prepend_scheme \"never\"");
        return scheme;
    }

    private static Metaspace Metaspace(string path, string field, JsonObject step) => new(
        JsonFiles.Text(step["replacement"]) is [var c] ? c : throw JsonFiles.Unsupported(path, $"{field}.replacement", "a one-character string"),
        ReadPrependScheme(path, field, step),
        JsonFiles.OptionalBool(path, $"{field}.split", step["split"]) ?? true);

    private static Func<AlignedText, AlignedText> NormalizerStep(string path, string field, JsonNode? node)
    {
        var step = node as JsonObject ?? throw JsonFiles.Unsupported(path, field, "a normalizer object");
        switch (JsonFiles.Text(step["type"]))
        {
            case "Prepend":
                var prefix = JsonFiles.Text(step["prepend"]) ?? throw JsonFiles.Unsupported(path, $"{field}.prepend", "a string");
                return text => text.Prepend(prefix);
            case "Replace":
                var pattern = JsonFiles.Text((step["pattern"] as JsonObject)?["String"]);
                if (string.IsNullOrEmpty(pattern))
                    throw JsonFiles.Unsupported(path, $"{field}.pattern", "{\"String\": \"...\"}, not empty");
                var content = JsonFiles.Text(step["content"]) ?? throw JsonFiles.Unsupported(path, $"{field}.content", "a string");
                return text => text.Replace(pattern, content);
            default:
                throw JsonFiles.Unsupported(path, $"{field}.type", "Prepend, Replace or a Sequence of them (with byte_fallback)");
        }
    }
}
