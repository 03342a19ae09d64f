using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// tiktoken encodings: by name from the bundled data packages (cl100k_base), or a .tiktoken ranks file with
/// the regex and control tokens that go with it. &lt;|endoftext|&gt; is eos when present; tiktoken has no bos.
/// </summary>
public static class TiktokenFiles
{
    public const string EndOfText = "<|endoftext|>";

    public static ModelTokenizer LoadEncoding(string encoding, string? bosOverride, string? eosOverride)
    {
        TiktokenTokenizer tokenizer;
        try
        {
            tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException($"tokenizer field 'encoding': '{encoding}' is not an encoding this build ships (cl100k_base): {e.Message}", e);
        }
        // The library does not expose an encoding's ranks, so its id space size stays unknown.
        return Wrap($"tiktoken:{encoding}", tokenizer, vocabularySize: null, bosOverride, eosOverride);
    }

    public static ModelTokenizer LoadFile(string ranksPath, string pattern, IReadOnlyDictionary<string, int> specialTokens,
        string? bosOverride, string? eosOverride)
    {
        var preTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), specialTokens);
        var (tokenizer, largestRank) = LibraryErrors.NamingFile(ranksPath, () =>
            (TiktokenTokenizer.Create(ranksPath, preTokenizer, normalizer: null, specialTokens), LargestRank(ranksPath)));
        if (largestRank < 0)
            throw new FormatException($"{ranksPath}: no ranks (expected lines of \"base64-token rank\", rank ≥ 0)");
        var size = Math.Max(largestRank, specialTokens.Values.DefaultIfEmpty(-1).Max()) + 1;
        return Wrap(ranksPath, tokenizer, size, bosOverride, eosOverride);
    }

    // The largest rank sizes the id space; -1 for a file without ranks.
    private static int LargestRank(string ranksPath) => File.ReadLines(ranksPath).Where(line => line.Length > 0)
        .Select(line => int.Parse(line.AsSpan(line.LastIndexOf(' ') + 1), CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max();

    private static ModelTokenizer Wrap(string source, TiktokenTokenizer tokenizer, int? vocabularySize, string? bosOverride, string? eosOverride)
    {
        var specialTokens = tokenizer.SpecialTokens ?? new Dictionary<string, int>();
        return new ModelTokenizer(source, tokenizer, specialTokens, vocabularySize,
            bosOverride, eosOverride ?? (specialTokens.ContainsKey(EndOfText) ? EndOfText : null));
    }
}
