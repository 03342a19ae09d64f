using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// One model's tokenizer, loaded by <see cref="TokenizerLoader"/>: encoding with character offsets (response
/// masks need them), decoding, and the ids of its control tokens. Templates put control tokens into the text,
/// so encoding always recognises them.
/// </summary>
public sealed class ModelTokenizer
{
    private readonly IReadOnlyDictionary<string, int> _specialTokens;

    public ModelTokenizer(string source, Tokenizer tokenizer, IReadOnlyDictionary<string, int> specialTokens,
        int? vocabularySize, string? bosToken, string? eosToken)
    {
        Source = source;
        Inner = tokenizer;
        _specialTokens = specialTokens;
        VocabularySize = vocabularySize;
        Bos = bosToken is null ? null : new SpecialToken(bosToken, TokenId(bosToken));
        Eos = eosToken is null ? null : new SpecialToken(eosToken, TokenId(eosToken));
    }

    /// <summary>The file or encoding it was loaded from, for messages.</summary>
    public string Source { get; }

    public Tokenizer Inner { get; }

    /// <summary>
    /// Size of the id space: one more than the largest id, control tokens included; null for tiktoken encodings
    /// loaded by name, whose ranks the library keeps private.
    /// </summary>
    public int? VocabularySize { get; }

    public SpecialToken? Bos { get; }

    public SpecialToken? Eos { get; }

    public IReadOnlyDictionary<string, int> SpecialTokens => _specialTokens;

    public EncodedText Encode(string text)
    {
        var tokens = Inner.EncodeToTokens(text, out var normalized);
        var ids = new int[tokens.Count];
        var starts = new int[tokens.Count];
        var ends = new int[tokens.Count];
        var encoded = normalized ?? text;
        for (var i = 0; i < tokens.Count; i++)
        {
            ids[i] = tokens[i].Id;
            (starts[i], ends[i]) = WholeCharacters(encoded, tokens[i].Offset.Start.GetOffset(encoded.Length), tokens[i].Offset.End.GetOffset(encoded.Length));
        }
        return new EncodedText(encoded, ids, starts, ends);
    }

    // The library's byte-level BPE can give a token holding some bytes of a character outside the BMP a range
    // that ends or starts between its two surrogates; the range of the whole character is what EncodedText promises.
    private static (int Start, int End) WholeCharacters(string text, int start, int end)
    {
        if (start > 0 && start < text.Length && char.IsSurrogatePair(text[start - 1], text[start]))
            start--;
        if (end > 0 && end < text.Length && char.IsSurrogatePair(text[end - 1], text[end]))
            end++;
        return (start, end);
    }

    public string Decode(IEnumerable<int> ids) => Inner.Decode(ids);

    /// <summary>
    /// The text after this tokenizer's context-free normalization (NFC), which templates apply to each message
    /// so that offsets into the encoded text are offsets into the rendered conversation. Normalizers that
    /// depend on position (SentencePiece's dummy prefix) are left to encoding.
    /// </summary>
    public string Normalize(string text) => Inner.Normalizer is NfcNormalizer nfc ? nfc.Normalize(text) : text;

    /// <summary>The id of a token given by its text: a control token, or any text that encodes to one token.</summary>
    public int TokenId(string tokenText) => TryGetTokenId(tokenText, out var id)
        ? id
        : throw new KeyNotFoundException($"{Source}: '{tokenText}' is not a single token of this tokenizer");

    public bool TryGetTokenId(string tokenText, out int id)
    {
        if (_specialTokens.TryGetValue(tokenText, out id))
            return true;
        var ids = Inner.EncodeToIds(tokenText);
        id = ids.Count == 1 ? ids[0] : -1;
        return ids.Count == 1;
    }
}
