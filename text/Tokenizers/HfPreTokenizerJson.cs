using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PoFT.Text.Tokenizers;

/// <summary>Reads the <c>pre_tokenizer</c> of a tokenizer.json: its steps, and the Split steps among them.</summary>
internal static class HfPreTokenizerJson
{
    /// <summary>The pre-tokenizer as the steps it runs in order (a Sequence's, or itself), each with its field.</summary>
    public static List<(string Field, JsonObject Step)> Steps(string path, JsonNode? node)
    {
        var steps = new List<(string Field, JsonObject Step)>();
        switch (node)
        {
            case null:
                break;
            case JsonObject sequence when JsonFiles.Text(sequence["type"]) == "Sequence":
                var items = sequence["pretokenizers"] as JsonArray
                    ?? throw JsonFiles.Unsupported(path, "pre_tokenizer.pretokenizers", "an array");
                for (var i = 0; i < items.Count; i++)
                {
                    var field = $"pre_tokenizer.pretokenizers[{i}]";
                    steps.Add((field, items[i] is JsonObject step && JsonFiles.Text(step["type"]) is not "Sequence" and not null
                        ? step : throw JsonFiles.Unsupported(path, field, "a pre-tokenizer object other than Sequence")));
                }
                break;
            case JsonObject step when JsonFiles.Text(step["type"]) is not null:
                steps.Add(("pre_tokenizer", step));
                break;
            default:
                throw JsonFiles.Unsupported(path, "pre_tokenizer", "null or a pre-tokenizer object");
        }
        return steps;
    }

    /// <summary>A Split step: a pattern ({"Regex": …} or {"String": …}), a behavior, and invert.</summary>
    public static HfSplit Split(string path, string field, JsonObject split)
    {
        var pattern = split["pattern"] as JsonObject;
        var regex = (JsonFiles.Text(pattern?["Regex"]), JsonFiles.Text(pattern?["String"])) switch
        {
            ({ } r, null) => r,
            (null, { } s) => Regex.Escape(s),
            _ => throw JsonFiles.Unsupported(path, $"{field}.pattern", "{\"Regex\": \"...\"} or {\"String\": \"...\"}"),
        };
        var name = JsonFiles.Text(split["behavior"]);
        var behavior = name is not null && Enum.GetNames<SplitBehavior>().Contains(name)
            ? Enum.Parse<SplitBehavior>(name) : throw JsonFiles.Unsupported(path, $"{field}.behavior", string.Join(", ", Enum.GetNames<SplitBehavior>()));
        var invert = JsonFiles.OptionalBool(path, $"{field}.invert", split["invert"]) ?? false;
        return new HfSplit(CodePointRegex.Create(path, $"{field}.pattern", regex), behavior, invert);
    }
}
