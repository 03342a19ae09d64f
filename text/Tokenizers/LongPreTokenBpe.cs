using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// A byte-level BPE (the library's BpeTokenizer or, for ignore_merges vocabularies, TiktokenTokenizer) whose long
/// pre-tokens are merged by <see cref="RankedMerges"/> in O(n log n) instead of by the library, which is quadratic in
/// a pre-token's length (docs/performance.md#long-text-tokenization). The text between long pre-tokens goes to the
/// library as it is, so ordinary text is encoded exactly as before; a long pre-token gets Hugging Face's ids by
/// construction (no vocabulary token is anywhere near <see cref="LongPreToken"/> characters, so ignore_merges never
/// applies to one).
/// </summary>
public sealed class LongPreTokenBpe : Tokenizer
{
    /// <summary>Pre-tokens longer than this many characters are merged here: the library's cost is negligible below
    /// (a few microseconds), and no real vocabulary has a token this long, so ignore_merges cannot apply.</summary>
    public const int LongPreToken = 256;

    private static readonly char[] ByteChars = [.. Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.ToChar((byte)b))];

    private readonly Tokenizer _library;
    private readonly RankedMerges _merges;
    private readonly int[] _byteIds;
    private readonly Dictionary<int, string> _tokens;

    public LongPreTokenBpe(Tokenizer library, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<string> merges)
    {
        _library = library;
        _merges = new RankedMerges(vocabulary, merges);
        _byteIds = [.. ByteChars.Select(c => vocabulary.TryGetValue(c.ToString(), out var id) ? id : -1)];
        _tokens = vocabulary.GroupBy(pair => pair.Value).ToDictionary(g => g.Key, g => g.First().Key);
    }

    public override PreTokenizer? PreTokenizer => _library.PreTokenizer;

    public override Normalizer? Normalizer => _library.Normalizer;

    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var input = text ?? textSpan.ToString();
        string? normalized = null;
        if (settings.ConsiderNormalization && _library.Normalizer is { } normalizer)
            input = normalized = normalizer.Normalize(input);
        var tokens = new List<EncodedToken>();
        var done = 0;
        var pieces = settings.ConsiderPreTokenization && _library.PreTokenizer is { } pre ? pre.PreTokenize(input) : [(0, input.Length)];
        foreach (var (offset, length) in pieces)
        {
            if (length <= LongPreToken)
                continue;
            Library(input, done, offset - done, settings, tokens);
            if (!Merge(input, offset, length, tokens))
                Library(input, offset, length, settings, tokens);
            done = offset + length;
        }
        Library(input, done, input.Length - done, settings, tokens);
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = normalized, CharsConsumed = input.Length };
    }

    private void Library(string input, int offset, int length, EncodeSettings settings, List<EncodedToken> tokens)
    {
        if (length == 0)
            return;
        foreach (var token in _library.EncodeToTokens(input.AsSpan(offset, length), out _, settings.ConsiderPreTokenization, considerNormalization: false))
            tokens.Add(new EncodedToken(token.Id, token.Value, new Range(offset + token.Offset.Start.Value, offset + token.Offset.End.Value)));
    }

    // The pre-token's UTF-8 bytes are its first symbols, each spanning the character it belongs to. False, with
    // nothing added, where the vocabulary lacks one of its bytes (a partial vocabulary): the library decides those.
    private bool Merge(string input, int offset, int length, List<EncodedToken> tokens)
    {
        var symbols = new List<RankedMerges.Symbol>(length);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = offset; i < offset + length;)
        {
            var width = char.IsSurrogatePair(input, i) ? 2 : 1;
            var count = Encoding.UTF8.GetBytes(input.AsSpan(i, width), bytes);
            for (var b = 0; b < count; b++)
            {
                if (_byteIds[bytes[b]] < 0)
                    return false;
                symbols.Add(new RankedMerges.Symbol(_byteIds[bytes[b]], i, i + width));
            }
            i += width;
        }
        foreach (var symbol in _merges.Merge(symbols))
            tokens.Add(new EncodedToken(symbol.Id, _tokens[symbol.Id], new Range(symbol.Start, symbol.End)));
        return true;
    }

    public override string Decode(IEnumerable<int> ids) => _library.Decode(ids);

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten) =>
        _library.Decode(ids, destination, out idsConsumed, out charsWritten);
}
