using System.Text;
using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// Builds the library tokenizer for a byte-level BPE vocabulary (GPT-2, Llama-3, Qwen, DeepSeek): the given
/// pre-tokenization (which keeps control tokens whole), byte-level symbols, then merges — long pre-tokens merged in
/// O(n log n) by <see cref="LongPreTokenBpe"/>.
/// </summary>
public static class ByteLevelBpe
{
    /// <summary>GPT-2's pre-tokenizer regex, which a ByteLevel pre-tokenizer with use_regex=true applies.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>The split a ByteLevel pre-tokenizer with use_regex=true makes: GPT-2's regex, matches isolated.</summary>
    public static HfSplit Gpt2Split { get; } =
        new(CodePointRegex.Create(nameof(ByteLevelBpe), nameof(Gpt2Pattern), Gpt2Pattern), SplitBehavior.Isolated, invert: false);

    /// <summary>Whether a merge is written "left right": two symbols and one space, as both merges formats have it.</summary>
    public static bool IsMerge(string text) => text.Split(' ').Length == 2;

    /// <param name="source">The file or files the vocabulary and merges come from, for messages.</param>
    /// <param name="ignoreMerges">
    /// Hugging Face's <c>ignore_merges</c>: a pre-token that is itself in the vocabulary becomes that token even
    /// where the merges would split it (588 Llama-3 tokens need this). The library's BPE lacks the option, so such
    /// vocabularies are encoded as tiktoken ranks (rank = id), whose algorithm does exactly that and then merges
    /// by rank. That equals merge order for tiktoken-derived vocabularies such as Llama-3's; the Llama-3 tests
    /// check it on the published ids.
    /// </param>
    public static Tokenizer Create(string source, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<string> merges,
        IReadOnlyDictionary<string, int> specialTokens, PreTokenizer preTokenizer, Normalizer? normalizer, bool ignoreMerges)
    {
        return new LongPreTokenBpe(Library(source, vocabulary, merges, specialTokens, preTokenizer, normalizer, ignoreMerges), vocabulary, merges);
    }

    private static Tokenizer Library(string source, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<string> merges,
        IReadOnlyDictionary<string, int> specialTokens, PreTokenizer preTokenizer, Normalizer? normalizer, bool ignoreMerges)
    {
        if (ignoreMerges)
        {
            var ranks = TiktokenRanks(source, vocabulary, specialTokens);
            return LibraryErrors.NamingFile(source, () => TiktokenTokenizer.Create(ranks, preTokenizer, normalizer, specialTokens));
        }
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            SpecialTokens = specialTokens,
            PreTokenizer = preTokenizer,
            Normalizer = normalizer,
            ByteLevel = true,
        };
        return LibraryErrors.NamingFile(source, () => BpeTokenizer.Create(options));
    }

    private static MemoryStream TiktokenRanks(string source, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyDictionary<string, int> specialTokens)
    {
        var ranks = new StringBuilder();
        foreach (var (token, id) in vocabulary)
        {
            if (specialTokens.ContainsKey(token))
                continue;
            var bytes = ByteLevelAlphabet.ToBytes(token)
                ?? throw new FormatException($"{source}: model.vocab token '{token}' (id {id}) is not byte-level text");
            ranks.Append(Convert.ToBase64String(bytes)).Append(' ').Append(id).Append('\n');
        }
        return new MemoryStream(Encoding.UTF8.GetBytes(ranks.ToString()));
    }
}
