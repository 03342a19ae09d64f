using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// Builds the <see cref="ByteFallbackBpeTokenizer"/> of a tokenizer.json whose BPE has byte_fallback: Llama-2 and
/// Mistral v0.1 (normalizer Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer), later Llama-2 and Mistral files
/// (Metaspace pre-tokenizer), Gemma (Replace normalizer, Split pre-tokenizer). What it cannot reproduce exactly is
/// an error naming the field.
/// </summary>
internal static class HfByteFallbackJson
{
    public static Tokenizer Create(string path, JsonObject root, Dictionary<string, int> vocabulary, List<string> merges,
        List<HfTokenizerJson.AddedToken> addedTokens, Dictionary<string, int> added, bool ignoreMerges)
    {
        if (ignoreMerges)
            throw JsonFiles.Unsupported(path, "model.ignore_merges", "false with byte_fallback");
        var missing = Enumerable.Range(0, 256).Select(b => ByteFallbackBpeTokenizer.ByteToken((byte)b)).FirstOrDefault(t => !vocabulary.ContainsKey(t));
        if (missing is not null)
            throw JsonFiles.Unsupported(path, "model.vocab", $"the 256 byte tokens <0x00> … <0xFF> with byte_fallback; '{missing}' is missing");
        // A merge of a byte token would join a byte to the characters beside it, which encoding runs apart.
        var byteMerge = merges.FindIndex(merge => merge.Split(' ').Any(IsByteToken));
        if (byteMerge >= 0)
            throw JsonFiles.Unsupported(path, $"model.merges[{byteMerge}]", "merges without byte tokens (<0xXX>)");
        // Added tokens are cut out of the text as given; normalized ones would be looked for in the normalized text.
        var normalized = addedTokens.FindIndex(t => t.Normalized);
        if (normalized >= 0 && !HfTokenizerJson.IsIdentity(root["normalizer"]))
            throw JsonFiles.Unsupported(path, $"added_tokens[{normalized}].normalized", "false when there is a normalizer (with byte_fallback)");

        var normalize = HfTextJson.Normalizer(path, root["normalizer"]);
        var preTokenize = HfTextJson.PreTokenizer(path, root["pre_tokenizer"]);
        var decoder = HfDecoder.Read(path, root["decoder"]);
        var bpe = LibraryErrors.NamingFile(path, () => BpeTokenizer.Create(new BpeOptions(vocabulary) { Merges = merges }));
        var matcher = new AddedTokens(addedTokens.Where(t => !t.Normalized).Select(t => t.Content), addedTokens.Where(t => t.Normalized).Select(t => t.Content));
        return new ByteFallbackBpeTokenizer(matcher, added, normalize, preTokenize, vocabulary, bpe, new RankedMerges(vocabulary, merges), decoder);
    }

    private static bool IsByteToken(string token) => token is ['<', '0', 'x', _, _, '>'];
}
