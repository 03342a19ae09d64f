using System.Text.Json.Nodes;

namespace PoFT.Text.Tokenizers;

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
            vocabulary[token] = JsonFiles.Int(encoderPath, token, id);
        var merges = ReadMerges(mergesPath);
        if (!vocabulary.TryGetValue(EndOfText, out var endOfTextId))
            throw new FormatException($"{encoderPath}: '{EndOfText}' missing");
        var specialTokens = new Dictionary<string, int> { [EndOfText] = endOfTextId };
        var tokenizer = ByteLevelBpe.Create($"{encoderPath} with {mergesPath}", vocabulary, merges, specialTokens,
            new HfPreTokenizer(new AddedTokens(specialTokens.Keys, []), [ByteLevelBpe.Gpt2Split]), normalizer: null, ignoreMerges: false);
        return new ModelTokenizer(encoderPath, tokenizer, specialTokens, vocabulary.Values.Max() + 1,
            bosOverride ?? EndOfText, eosOverride ?? EndOfText);
    }

    // After a "#version: ..." header, one merge per line; a bad line is named by number here, as the library
    // would report it naming neither file nor line.
    private static List<string> ReadMerges(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found", path);
        return [.. File.ReadLines(path)
            .Select((line, index) => (Line: line, Number: index + 1))
            .Where(l => l.Line.Length > 0 && !l.Line.StartsWith("#version", StringComparison.Ordinal))
            .Select(l => ByteLevelBpe.IsMerge(l.Line) ? l.Line
                : throw new FormatException($"{path}: line {l.Number}: expected a merge \"left right\", found '{l.Line}'"))];
    }
}
