using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// A tokenizer.json's pre-tokenization for the library's byte-level BPE: added tokens cut out whole (the library
/// encodes a piece that is one as its id), then the Split steps of the pre-tokenizer applied in order, each to
/// every piece the previous one left, as Hugging Face's Sequence pre-tokenizer does.
/// </summary>
public sealed class HfPreTokenizer(AddedTokens addedTokens, IReadOnlyList<HfSplit> steps) : PreTokenizer
{
    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        var pieces = new List<(int Offset, int Length)>();
        foreach (var (offset, length, isToken) in addedTokens.Split(text, 0, text.Length))
        {
            if (isToken)
            {
                pieces.Add((offset, length));
                continue;
            }
            IEnumerable<(int Offset, int Length)> split = [(offset, length)];
            foreach (var step in steps)
                split = split.SelectMany(piece => step.Split(text, piece.Offset, piece.Length)).ToList();
            pieces.AddRange(split);
        }
        return pieces;
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => PreTokenize(text.ToString());
}
