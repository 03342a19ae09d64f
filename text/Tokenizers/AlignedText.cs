using System.Text;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// Text on its way through normalization, each char with the range of the original text it comes from
/// (Hugging Face's NormalizedString alignments), so that tokens of the normalized text get offsets in the text
/// as given: the "▁" that replaced a space stands for that space, a prepended "▁" for the character it precedes.
/// </summary>
public sealed class AlignedText
{
    private readonly int[] _starts;
    private readonly int[] _ends;

    private AlignedText(string text, int[] starts, int[] ends) => (Text, _starts, _ends) = (text, starts, ends);

    public string Text { get; }

    /// <summary>original[offset..offset+length], unchanged.</summary>
    public static AlignedText Of(string original, int offset, int length) => new(
        original.Substring(offset, length),
        [.. Enumerable.Range(offset, length)],
        [.. Enumerable.Range(offset + 1, length)]);

    /// <summary>Where Text[offset..offset+length] comes from in the original text, as [start, end).</summary>
    public (int Start, int End) Original(int offset, int length) =>
        length == 0 ? (_starts[offset], _starts[offset]) : (_starts[offset], _ends[offset + length - 1]);

    public AlignedText Slice(int offset, int length) =>
        new(Text.Substring(offset, length), _starts[offset..(offset + length)], _ends[offset..(offset + length)]);

    /// <summary>Every occurrence of <paramref name="pattern"/> replaced, left to right; the new chars stand for
    /// the last char replaced, as in Hugging Face's NormalizedString.replace.</summary>
    public AlignedText Replace(string pattern, string content)
    {
        var text = new StringBuilder(Text.Length);
        var (starts, ends) = (new List<int>(Text.Length), new List<int>(Text.Length));
        var i = 0;
        for (var match = Text.IndexOf(pattern, StringComparison.Ordinal); match >= 0; match = Text.IndexOf(pattern, i, StringComparison.Ordinal))
        {
            Append(text, starts, ends, i, match - i);
            text.Append(content);
            var last = match + pattern.Length - 1;
            starts.AddRange(Enumerable.Repeat(_starts[last], content.Length));
            ends.AddRange(Enumerable.Repeat(_ends[last], content.Length));
            i = match + pattern.Length;
        }
        Append(text, starts, ends, i, Text.Length - i);
        return new AlignedText(text.ToString(), [.. starts], [.. ends]);
    }

    /// <summary><paramref name="prefix"/> put before the text (not before empty text); it stands for the first
    /// character, as in Hugging Face's NormalizedString.prepend.</summary>
    public AlignedText Prepend(string prefix)
    {
        if (Text.Length == 0)
            return this;
        var first = char.IsSurrogatePair(Text, 0) ? 2 : 1;
        var (start, end) = Original(0, first);
        return new AlignedText(prefix + Text,
            [.. Enumerable.Repeat(start, prefix.Length), .. _starts],
            [.. Enumerable.Repeat(end, prefix.Length), .. _ends]);
    }

    private void Append(StringBuilder text, List<int> starts, List<int> ends, int offset, int length)
    {
        text.Append(Text, offset, length);
        starts.AddRange(_starts.AsSpan(offset, length));
        ends.AddRange(_ends.AsSpan(offset, length));
    }
}
