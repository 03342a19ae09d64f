using System.Text.RegularExpressions;

namespace PoFT.Text.Tokenizers;

/// <summary>When Metaspace puts its replacement character before a piece of text (Hugging Face's PrependScheme).</summary>
public enum PrependScheme
{
    Always,
    First,
    Never,
}

/// <summary>
/// Hugging Face's Metaspace pre-tokenizer (Mistral, and Llama-2 files written by tokenizers ≥ 0.19): spaces
/// become the replacement character "▁", which is also put before a piece that does not start with it (every
/// piece, or only one that starts the text, or none), and with split set each "▁" starts a new piece.
/// </summary>
public sealed class Metaspace(char replacement, PrependScheme prepend, bool split)
{
    private readonly HfSplit _split = new(CodePointRegex.Create(nameof(Metaspace), "replacement", Regex.Escape(replacement.ToString())),
        SplitBehavior.MergedWithNext, invert: false);

    public IEnumerable<AlignedText> PreTokenize(AlignedText piece)
    {
        var text = piece.Replace(" ", replacement.ToString());
        var startsText = text.Text.Length > 0 && text.Original(0, 1).Start == 0;
        if (!text.Text.StartsWith(replacement) && (prepend == PrependScheme.Always || (prepend == PrependScheme.First && startsText)))
            text = text.Prepend(replacement.ToString());
        return split ? _split.Split(text.Text, 0, text.Text.Length).Select(p => text.Slice(p.Offset, p.Length)) : [text];
    }
}
