using System.Text.Json.Nodes;

namespace PoFT.Shared.Tokenizers;

/// <summary>
/// GPT-2's vocabulary and merges, read directly rather than converted to a tokenizer.json: no derived file to
/// keep in step with its source. OpenAI's release names them encoder.json + vocab.bpe, Hugging Face checkpoints
/// vocab.json + merges.txt (the same formats). &lt;|endoftext|&gt; is both bos and eos, as in
/// Hugging Face's gpt2 config.
/// </summary>
public static class Gpt2TokenizerFiles
{
    public const string EndOfText = "<|endoftext|>";

    public static readonly IReadOnlyList<(string Vocabulary, string Merges)> FileNames = [("encoder.json", "vocab.bpe"), ("vocab.json", "merges.txt")];

    /// <summary>The vocabulary and merges files in <paramref name="directory"/>, or null.</summary>
    public static (string Vocabulary, string Merges)? Find(string directory) => FileNames
        .Select(pair => (Vocabulary: Path.Combine(directory, pair.Vocabulary), Merges: Path.Combine(directory, pair.Merges)))
        .Where(pair => File.Exists(pair.Vocabulary))
        .Select(pair => ((string, string)?)pair)
        .FirstOrDefault();

    public static ModelTokenizer Load(string directory, string? bosOverride, string? eosOverride)
    {
        var (encoderPath, mergesPath) = Find(directory)
            ?? throw new FileNotFoundException($"{directory}: no GPT-2 vocabulary ({string.Join(" or ", FileNames.Select(pair => pair.Vocabulary))})");
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
