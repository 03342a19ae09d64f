using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Shared.Tokenizers;

/// <summary>
/// What a model config needs from a Hugging Face tokenizer directory: the id space (vocabulary plus added
/// tokens) and the ids of its beginning- and end-of-text tokens.
/// </summary>
public sealed record TokenizerVocabulary(int Size, int? BosTokenId, int? EosTokenId)
{
    public static TokenizerVocabulary Load(string directory)
    {
        var tokenizerPath = Path.Combine(directory, "tokenizer.json");
        var tokenizer = ReadObject(tokenizerPath);
        if (tokenizer["model"]?["vocab"] is not JsonObject vocab)
            throw new FormatException($"{tokenizerPath}: field 'model.vocab' missing (expected a BPE vocabulary object)");
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocab)
            ids[token] = id?.GetValue<int>() ?? throw new FormatException($"{tokenizerPath}: model.vocab['{token}'] is null");
        foreach (var added in tokenizer["added_tokens"] as JsonArray ?? [])
        {
            var content = added?["content"]?.GetValue<string>();
            var id = added?["id"]?.GetValue<int>();
            if (content is null || id is null)
                throw new FormatException($"{tokenizerPath}: an entry of 'added_tokens' lacks 'content' or 'id'");
            ids[content] = id.Value;
        }
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath) ? ReadObject(configPath) : [];
        int? Special(string field) => TokenText(config[field]) is { } text
            ? ids.TryGetValue(text, out var id) ? id : throw new FormatException($"{configPath}: {field} '{text}' is not in {tokenizerPath}")
            : null;
        return new TokenizerVocabulary(ids.Values.Max() + 1, Special("bos_token"), Special("eos_token"));
    }

    // tokenizer_config.json writes special tokens either as a string or as {"content": ...}.
    private static string? TokenText(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => o["content"]?.GetValue<string>(),
        _ => null,
    };

    private static JsonObject ReadObject(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found", path);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException($"{path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON: {e.Message}");
        }
    }
}
