using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace PoFT.Shared.Tokenizers;

/// <summary>
/// Reads a Hugging Face tokenizer.json with a byte-level BPE model (GPT-2, Llama-3, Qwen families) and the
/// tokenizer_config.json beside it. Anything it cannot reproduce exactly is an error naming the field.
/// The post-processor is not applied: chat templates write BOS themselves, as apply_chat_template does.
/// </summary>
public static class HfTokenizerJson
{
    public const string FileName = "tokenizer.json";

    public static ModelTokenizer Load(string tokenizerPath, string? bosOverride, string? eosOverride)
    {
        var root = JsonFiles.ReadObject(tokenizerPath);
        var model = root["model"] as JsonObject ?? throw Unsupported(tokenizerPath, "model", "an object");
        if (Text(model["type"]) is not "BPE")
            throw Unsupported(tokenizerPath, "model.type", "\"BPE\"");
        if (model["dropout"] is { } dropout && !(dropout is JsonValue p && p.TryGetValue<double>(out var rate) && rate == 0))
            throw Unsupported(tokenizerPath, "model.dropout", "null or 0 (dropout is for training)");
        if (JsonFiles.OptionalBool(tokenizerPath, "model.byte_fallback", model["byte_fallback"]) == true)
            throw Unsupported(tokenizerPath, "model.byte_fallback", "false");
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (!string.IsNullOrEmpty(Text(model[affix])))
                throw Unsupported(tokenizerPath, $"model.{affix}", "null or empty");
        }

        var vocabulary = ReadVocabulary(tokenizerPath, model);
        var merges = ReadMerges(tokenizerPath, model);
        var added = ReadAddedTokens(tokenizerPath, root);
        var pattern = ReadPreTokenizerPattern(tokenizerPath, root["pre_tokenizer"]);
        CheckDecoder(tokenizerPath, root["decoder"]);
        var normalizer = ReadNormalizer(tokenizerPath, root["normalizer"]);
        var ignoreMerges = JsonFiles.OptionalBool(tokenizerPath, "model.ignore_merges", model["ignore_merges"]) == true;

        var tokenizer = ByteLevelBpe.Create(tokenizerPath, vocabulary, merges, added, pattern, normalizer, ignoreMerges);
        var config = ReadConfig(tokenizerPath);
        var size = Math.Max(vocabulary.Values.DefaultIfEmpty(-1).Max(), added.Values.DefaultIfEmpty(-1).Max()) + 1;
        return new ModelTokenizer(tokenizerPath, tokenizer, added, size,
            bosOverride ?? TokenText(config?["bos_token"]), eosOverride ?? TokenText(config?["eos_token"]));
    }

    private static Dictionary<string, int> ReadVocabulary(string path, JsonObject model)
    {
        if (model["vocab"] is not JsonObject vocab)
            throw Unsupported(path, "model.vocab", "an object of token → id");
        var ids = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        foreach (var (token, id) in vocab)
            ids[token] = JsonFiles.Int(path, $"model.vocab['{token}']", id);
        return ids;
    }

    // Merges come as "a b" strings (older files) or as ["a", "b"] pairs (tokenizers ≥ 0.20).
    private static List<string> ReadMerges(string path, JsonObject model)
    {
        if (model["merges"] is not JsonArray merges)
            throw Unsupported(path, "model.merges", "an array");
        var pairs = new List<string>(merges.Count);
        for (var i = 0; i < merges.Count; i++)
        {
            pairs.Add(merges[i] switch
            {
                JsonValue v when v.TryGetValue<string>(out var s) && ByteLevelBpe.IsMerge(s) => s,
                JsonArray { Count: 2 } a when Text(a[0]) is { } left && Text(a[1]) is { } right && !left.Contains(' ') && !right.Contains(' ')
                    => $"{left} {right}",
                _ => throw Unsupported(path, $"model.merges[{i}]", "\"a b\" or [\"a\", \"b\"] without spaces inside the parts"),
            });
        }
        return pairs;
    }

    private static Dictionary<string, int> ReadAddedTokens(string path, JsonObject root)
    {
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = root["added_tokens"] switch
        {
            null => [],
            JsonArray array => array,
            _ => throw Unsupported(path, "added_tokens", "an array"),
        };
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] as JsonObject ?? throw Unsupported(path, $"added_tokens[{i}]", "an object");
            var content = Text(entry["content"]) ?? throw Unsupported(path, $"added_tokens[{i}].content", "a string");
            var id = JsonFiles.Int(path, $"added_tokens[{i}].id", entry["id"]);
            foreach (var flag in new[] { "lstrip", "rstrip", "single_word" })
            {
                if (JsonFiles.OptionalBool(path, $"added_tokens[{i}].{flag}", entry[flag]) == true)
                    throw Unsupported(path, $"added_tokens[{i}].{flag}", "false");
            }
            added[content] = id;
        }
        return added;
    }

    // Supported: ByteLevel alone (GPT-2 regex), or Sequence [Split(regex, Isolated), ByteLevel(use_regex=false)].
    private static string ReadPreTokenizerPattern(string path, JsonNode? node)
    {
        if (node is not JsonObject pre)
            throw Unsupported(path, "pre_tokenizer", "ByteLevel or Sequence[Split, ByteLevel]");
        switch (Text(pre["type"]))
        {
            case "ByteLevel":
                CheckByteLevel(path, "pre_tokenizer", pre, useRegex: true);
                return ByteLevelBpe.Gpt2Pattern;
            case "Sequence" when pre["pretokenizers"] is JsonArray { Count: 2 } steps
                                 && steps[0] is JsonObject split && Text(split["type"]) == "Split"
                                 && steps[1] is JsonObject byteLevel && Text(byteLevel["type"]) == "ByteLevel":
                if (Text(split["behavior"]) != "Isolated" || JsonFiles.OptionalBool(path, "pre_tokenizer.pretokenizers[0].invert", split["invert"]) == true)
                    throw Unsupported(path, "pre_tokenizer.pretokenizers[0]", "behavior \"Isolated\" without invert");
                var pattern = Text((split["pattern"] as JsonObject)?["Regex"])
                    ?? throw Unsupported(path, "pre_tokenizer.pretokenizers[0].pattern", "{\"Regex\": ...}");
                CheckByteLevel(path, "pre_tokenizer.pretokenizers[1]", byteLevel, useRegex: false);
                return pattern;
            default:
                throw Unsupported(path, "pre_tokenizer", "ByteLevel or Sequence[Split(Regex, Isolated), ByteLevel]");
        }
    }

    private static void CheckByteLevel(string path, string field, JsonObject byteLevel, bool useRegex)
    {
        if (JsonFiles.OptionalBool(path, $"{field}.add_prefix_space", byteLevel["add_prefix_space"]) == true)
            throw Unsupported(path, $"{field}.add_prefix_space", "false");
        if ((JsonFiles.OptionalBool(path, $"{field}.use_regex", byteLevel["use_regex"]) ?? true) != useRegex)
            throw Unsupported(path, $"{field}.use_regex", useRegex ? "true" : "false");
    }

    private static void CheckDecoder(string path, JsonNode? node)
    {
        if (node is not null && Text((node as JsonObject)?["type"]) != "ByteLevel")
            throw Unsupported(path, "decoder.type", "\"ByteLevel\"");
    }

    private static Normalizer? ReadNormalizer(string path, JsonNode? node) => node switch
    {
        null => null,
        JsonObject o when Text(o["type"]) == "NFC" => new NfcNormalizer(path),
        _ => throw Unsupported(path, "normalizer.type", "null or \"NFC\""),
    };

    private static JsonObject? ReadConfig(string tokenizerPath)
    {
        var configPath = Path.Combine(Path.GetDirectoryName(tokenizerPath) ?? ".", "tokenizer_config.json");
        return File.Exists(configPath) ? JsonFiles.ReadObject(configPath) : null;
    }

    // tokenizer_config.json writes special tokens either as a string or as {"content": ...}.
    private static string? TokenText(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => Text(o["content"]),
        _ => null,
    };

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static FormatException Unsupported(string path, string field, string expected) =>
        new($"{path}: field '{field}' is not supported (expected {expected})");
}
