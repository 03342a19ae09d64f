using System.Text.Json.Nodes;

namespace PoFT.Shared.Tokenizers;

/// <summary>
/// OpenAI's original GPT-2 files (encoder.json + vocab.bpe), read directly rather than converted to a
/// tokenizer.json: no derived file to keep in step with its source. &lt;|endoftext|&gt; is both bos and eos, as in
/// Hugging Face's gpt2 config.
/// </summary>
public static class Gpt2TokenizerFiles
{
    public const string EncoderFile = "encoder.json";
    public const string MergesFile = "vocab.bpe";
    public const string EndOfText = "<|endoftext|>";

    public static ModelTokenizer Load(string directory, string? bosOverride, string? eosOverride)
    {
        var encoderPath = Path.Combine(directory, EncoderFile);
        var mergesPath = Path.Combine(directory, MergesFile);
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in JsonFiles.ReadObject(encoderPath))
            vocabulary[token] = id?.GetValue<int>() ?? throw new FormatException($"{encoderPath}: entry '{token}' has no integer id");
        if (!File.Exists(mergesPath))
            throw new FileNotFoundException($"{mergesPath}: file not found", mergesPath);
        // The first line is a "#version: ..." header.
        var merges = File.ReadLines(mergesPath).Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal)).ToList();
        if (!vocabulary.TryGetValue(EndOfText, out var endOfTextId))
            throw new FormatException($"{encoderPath}: '{EndOfText}' missing");
        var specialTokens = new Dictionary<string, int> { [EndOfText] = endOfTextId };
        var tokenizer = ByteLevelBpe.Create(encoderPath, vocabulary, merges, specialTokens, ByteLevelBpe.Gpt2Pattern, normalizer: null, ignoreMerges: false);
        return new ModelTokenizer(encoderPath, tokenizer, specialTokens, vocabulary.Values.Max() + 1,
            bosOverride ?? EndOfText, eosOverride ?? EndOfText);
    }
}
