using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// Reads a Hugging Face tokenizer.json with a BPE model, byte-level (GPT-2, Llama-3, Qwen, DeepSeek-V3) or with
/// byte fallback (Llama-2, Mistral, Gemma; see <see cref="HfByteFallbackJson"/>), and the tokenizer_config.json
/// beside it. Anything it cannot reproduce exactly is an error naming the field.
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
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (!string.IsNullOrEmpty(Text(model[affix])))
                throw Unsupported(tokenizerPath, $"model.{affix}", "null or empty");
        }

        var vocabulary = ReadVocabulary(tokenizerPath, model);
        var merges = ReadMerges(tokenizerPath, model);
        var addedTokens = ReadAddedTokens(tokenizerPath, root);
        var ignoreMerges = JsonFiles.OptionalBool(tokenizerPath, "model.ignore_merges", model["ignore_merges"]) == true;
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in addedTokens)
            added[token.Content] = token.Id;
        var tokenizer = JsonFiles.OptionalBool(tokenizerPath, "model.byte_fallback", model["byte_fallback"]) == true
            ? HfByteFallbackJson.Create(tokenizerPath, root, vocabulary, merges, addedTokens, added, ignoreMerges)
            : CreateByteLevel(tokenizerPath, root, vocabulary, merges, addedTokens, added, ignoreMerges);
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

    /// <summary>An entry of added_tokens: its text, id, and whether it is matched in normalized text.</summary>
    internal sealed record AddedToken(string Content, int Id, bool Normalized);

    private static List<AddedToken> ReadAddedTokens(string path, JsonObject root)
    {
        var added = new List<AddedToken>();
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
            // Hugging Face's default: special tokens are matched as written, others after normalization.
            var special = JsonFiles.OptionalBool(path, $"added_tokens[{i}].special", entry["special"]) ?? false;
            added.Add(new AddedToken(content, id, JsonFiles.OptionalBool(path, $"added_tokens[{i}].normalized", entry["normalized"]) ?? !special));
        }
        return added;
    }

    // Hugging Face matches normalized added tokens by their normalized text in normalized text, the others as
    // written in the text as given. Both are matched in the normalized text here, which is the same while the
    // normalizer leaves a normalized token's text unchanged.
    private static AddedTokens Matcher(string path, List<AddedToken> added, Normalizer? normalizer)
    {
        var changed = added.FindIndex(t => t.Normalized && normalizer is not null && normalizer.Normalize(t.Content) != t.Content);
        if (changed >= 0)
            throw Unsupported(path, $"added_tokens[{changed}].normalized", "false, or a token text the normalizer leaves unchanged");
        return new AddedTokens(added.Where(t => !t.Normalized).Select(t => t.Content), added.Where(t => t.Normalized).Select(t => t.Content));
    }

    private static Tokenizer CreateByteLevel(string path, JsonObject root, Dictionary<string, int> vocabulary, List<string> merges,
        List<AddedToken> addedTokens, Dictionary<string, int> added, bool ignoreMerges)
    {
        var splits = ReadByteLevelSplits(path, root["pre_tokenizer"]);
        CheckDecoder(path, root["decoder"]);
        var normalizer = ReadNormalizer(path, root["normalizer"]);
        var preTokenizer = new HfPreTokenizer(Matcher(path, addedTokens, normalizer), splits);
        return ByteLevelBpe.Create(path, vocabulary, merges, added, preTokenizer, normalizer, ignoreMerges);
    }

    // Supported: ByteLevel (GPT-2's regex unless use_regex is false), alone or last in a Sequence after Split steps.
    private static List<HfSplit> ReadByteLevelSplits(string path, JsonNode? node)
    {
        const string expected = "ByteLevel, alone or after Split steps in a Sequence";
        var steps = HfPreTokenizerJson.Steps(path, node);
        if (steps.Count == 0 || Text(steps[^1].Step["type"]) != "ByteLevel")
            throw Unsupported(path, steps.Count == 0 ? "pre_tokenizer" : steps[^1].Field, expected);
        var splits = new List<HfSplit>();
        foreach (var (field, step) in steps.SkipLast(1))
        {
            splits.Add(Text(step["type"]) == "Split" ? HfPreTokenizerJson.Split(path, field, step) : throw Unsupported(path, $"{field}.type", expected));
        }
        var (byteLevelField, byteLevel) = steps[^1];
        if (JsonFiles.OptionalBool(path, $"{byteLevelField}.add_prefix_space", byteLevel["add_prefix_space"]) == true)
            throw Unsupported(path, $"{byteLevelField}.add_prefix_space", "false");
        if (JsonFiles.OptionalBool(path, $"{byteLevelField}.use_regex", byteLevel["use_regex"]) ?? true)
            splits.Add(ByteLevelBpe.Gpt2Split);
        return splits;
    }

    private static void CheckDecoder(string path, JsonNode? node)
    {
        if (node is not null && Text((node as JsonObject)?["type"]) != "ByteLevel")
            throw Unsupported(path, "decoder.type", "\"ByteLevel\"");
    }

    private static Normalizer? ReadNormalizer(string path, JsonNode? node) => node switch
    {
        _ when IsIdentity(node) => null,
        JsonObject o when Text(o["type"]) == "NFC" => new NfcNormalizer(path),
        _ => throw Unsupported(path, "normalizer.type", "null, \"NFC\" or an empty Sequence"),
    };

    /// <summary>Whether a normalizer changes nothing: none, or the empty Sequence some files have (DeepSeek-V3).</summary>
    internal static bool IsIdentity(JsonNode? normalizer) =>
        normalizer is null || (normalizer is JsonObject o && Text(o["type"]) == "Sequence" && o["normalizers"] is JsonArray { Count: 0 });

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

    private static string? Text(JsonNode? node) => JsonFiles.Text(node);

    private static FormatException Unsupported(string path, string field, string expected) => JsonFiles.Unsupported(path, field, expected);
}
