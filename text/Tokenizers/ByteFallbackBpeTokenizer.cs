using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// A tokenizer.json BPE with byte_fallback (Llama-2, Mistral, Gemma), encoded as Hugging Face does: added tokens cut
/// out, the normalizer and the pre-tokenizer applied, then each piece split into characters that the library's
/// BPE merges, a character missing from the vocabulary becoming the tokens of its UTF-8 bytes (&lt;0xE4&gt; …).
/// The library's BpeTokenizer has no byte fallback, hence this class; no merge involves a byte token (the loader
/// checks), so the runs of known characters between such bytes merge on their own. Offsets are in the text as
/// given, through <see cref="AlignedText"/>, never in the normalized text: response masks need no mapping. A run
/// longer than <see cref="LongPreTokenBpe.LongPreToken"/> characters (Llama-2's format pre-tokenizes nothing: a
/// whole text without added tokens is one run) is merged by <see cref="RankedMerges"/>, in O(n log n), not by the
/// library, which is quadratic in a run's length.
/// </summary>
public sealed class ByteFallbackBpeTokenizer : Tokenizer
{
    private readonly AddedTokens _addedTokens;
    private readonly IReadOnlyDictionary<string, int> _added;
    private readonly Func<AlignedText, AlignedText> _normalize;
    private readonly IReadOnlyList<Func<AlignedText, IEnumerable<AlignedText>>> _preTokenize;
    private readonly BpeTokenizer _merges;
    private readonly RankedMerges _rankedMerges;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabulary;
    private readonly int[] _byteIds;
    private readonly Dictionary<int, string> _tokens;
    private readonly HfDecoder _decoder;

    /// <param name="vocabulary">The model's vocabulary, which holds the 256 tokens &lt;0x00&gt; … &lt;0xFF&gt;.</param>
    /// <param name="merges">The library's BPE of the same vocabulary and merges, used on runs of known characters.</param>
    /// <param name="rankedMerges">The same merges, used on long runs.</param>
    public ByteFallbackBpeTokenizer(AddedTokens addedTokens, IReadOnlyDictionary<string, int> added,
        Func<AlignedText, AlignedText> normalize, IReadOnlyList<Func<AlignedText, IEnumerable<AlignedText>>> preTokenize,
        IReadOnlyDictionary<string, int> vocabulary, BpeTokenizer merges, RankedMerges rankedMerges, HfDecoder decoder)
    {
        (_addedTokens, _added, _normalize, _preTokenize, _merges, _rankedMerges, _decoder) =
            (addedTokens, added, normalize, preTokenize, merges, rankedMerges, decoder);
        _vocabulary = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _byteIds = [.. Enumerable.Range(0, 256).Select(b => vocabulary[ByteToken((byte)b)])];
        _tokens = vocabulary.ToDictionary(pair => pair.Value, pair => pair.Key);
        foreach (var (content, id) in added)
            _tokens[id] = content;
    }

    /// <summary>The vocabulary token that stands for one byte: &lt;0x0A&gt; for 10.</summary>
    public static string ByteToken(byte value) => $"<0x{value:X2}>";

    // Normalization and pre-tokenization are part of the tokenizer's definition, so they always run.
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        if (settings.MaxTokenCount != int.MaxValue)
            throw new NotSupportedException("encoding to at most a number of tokens is not supported by this tokenizer");
        var input = text ?? textSpan.ToString();
        var tokens = new List<EncodedToken>();
        foreach (var (offset, length, isToken) in _addedTokens.Split(input, 0, input.Length))
        {
            if (isToken)
            {
                var content = input.Substring(offset, length);
                tokens.Add(new EncodedToken(_added[content], content, new Range(offset, offset + length)));
                continue;
            }
            IEnumerable<AlignedText> pieces = [_normalize(AlignedText.Of(input, offset, length))];
            foreach (var step in _preTokenize)
                pieces = pieces.SelectMany(step);
            foreach (var piece in pieces)
                Encode(piece, tokens);
        }
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = null, CharsConsumed = input.Length };
    }

    private void Encode(AlignedText piece, List<EncodedToken> tokens)
    {
        var text = piece.Text;
        var run = 0;
        for (var i = 0; i < text.Length;)
        {
            var width = char.IsSurrogatePair(text, i) ? 2 : 1;
            if (!_vocabulary.ContainsKey(text.AsSpan(i, width)))
            {
                Merge(piece, run, i - run, tokens);
                var range = piece.Original(i, width);
                foreach (var b in Encoding.UTF8.GetBytes(text, i, width))
                    tokens.Add(new EncodedToken(_byteIds[b], ByteToken(b), new Range(range.Start, range.End)));
                run = i + width;
            }
            i += width;
        }
        Merge(piece, run, text.Length - run, tokens);
    }

    private void Merge(AlignedText piece, int offset, int length, List<EncodedToken> tokens)
    {
        if (length == 0)
            return;
        if (length > LongPreTokenBpe.LongPreToken)
        {
            MergeLong(piece, offset, length, tokens);
            return;
        }
        var merged = _merges.EncodeToTokens(piece.Text.AsSpan(offset, length), out _, considerPreTokenization: false, considerNormalization: false);
        foreach (var token in merged)
        {
            var (start, end) = (token.Offset.Start.Value, token.Offset.End.Value);
            var original = piece.Original(offset + start, end - start);
            tokens.Add(new EncodedToken(token.Id, token.Value, new Range(original.Start, original.End)));
        }
    }

    // Each character of the run is in the vocabulary (Encode cut out the others), so its symbols are its characters.
    private void MergeLong(AlignedText piece, int offset, int length, List<EncodedToken> tokens)
    {
        var text = piece.Text;
        var symbols = new List<RankedMerges.Symbol>(length);
        for (var i = offset; i < offset + length;)
        {
            var width = char.IsSurrogatePair(text, i) ? 2 : 1;
            symbols.Add(new RankedMerges.Symbol(_vocabulary[text.AsSpan(i, width)], i, i + width));
            i += width;
        }
        foreach (var symbol in _rankedMerges.Merge(symbols))
        {
            var original = piece.Original(symbol.Start, symbol.End - symbol.Start);
            tokens.Add(new EncodedToken(symbol.Id, _tokens[symbol.Id], new Range(original.Start, original.End)));
        }
    }

    /// <summary>The text of the ids through the file's decoder; ids outside the vocabulary are skipped, as Hugging Face does.</summary>
    public override string Decode(IEnumerable<int> ids) =>
        _decoder.Decode(ids.Where(_tokens.ContainsKey).Select(id => _tokens[id]));

    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        var idList = ids.ToList();
        var text = Decode(idList);
        if (text.Length > destination.Length)
        {
            (idsConsumed, charsWritten) = (0, 0);
            return OperationStatus.DestinationTooSmall;
        }
        text.CopyTo(destination);
        (idsConsumed, charsWritten) = (idList.Count, text.Length);
        return OperationStatus.Done;
    }
}
