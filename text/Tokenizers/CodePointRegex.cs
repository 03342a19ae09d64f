using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PoFT.Text.Tokenizers;

/// <summary>
/// A pre-tokenizer regex matched as Hugging Face matches it: on code points. Its regex engines see "𝟙" (U+1D7D9)
/// as one character of category Nd; .NET's sees two surrogates of category Cs, which \p{N}, \p{L}, \p{P} and
/// \p{S} never match and negated classes such as [^\s\p{L}\p{N}] do. Llama-3's regex thus took " 𝟙𝟚𝟛" as one
/// piece where Hugging Face has " " and "𝟙𝟚𝟛" (ids [220, …]). Text holding such characters is therefore
/// matched in a copy where each one is a single BMP stand-in of the same general category, and the positions
/// of the matches are mapped back.
/// </summary>
public sealed class CodePointRegex
{
    /// <summary>
    /// One stand-in per <see cref="UnicodeCategory"/>, indexed by its value, each of that category. They come from
    /// scripts that pre-tokenizer patterns do not name (Yi, Saurashtra, Bamum, Latin Extended-D, supplemental
    /// punctuation), so a pattern's literal ranges (ASCII, CJK, kana) match them no more than the originals.
    /// </summary>
    public const string StandIns =
        "\uA726\uA727\u01C5\uA717\uA000\uA8C4\uA8B4\u20DD\uA8D0\uA6E6\uA830\u2008\u2028\u2029\u009F\u2064" +
        "\uD800\uE000\u2040\u2E1A\u2E22\u2E23\u2E02\u2E03\uA8CE\u2A00\u20B0\uA720\uA828\uFDD0";

    private readonly Regex _regex;

    private CodePointRegex(Regex regex) => _regex = regex;

    /// <param name="source">The file the pattern comes from, and <paramref name="field"/> its field, for messages.</param>
    public static CodePointRegex Create(string source, string field, string pattern)
    {
        // A literal outside the BMP would be matched against its stand-in, not itself.
        if (pattern.Any(char.IsSurrogate))
            throw new FormatException($"{source}: field '{field}': a regex with characters outside the Basic Multilingual Plane is not supported");
        try
        {
            return new CodePointRegex(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{source}: field '{field}': regex is not valid in .NET: {e.Message}");
        }
    }

    /// <summary>The matches in <paramref name="text"/>, left to right, as [start, end) ranges of UTF-16 indices.</summary>
    public List<(int Start, int End)> Matches(string text)
    {
        var matches = new List<(int Start, int End)>();
        if (!text.Any(char.IsSurrogate))
        {
            for (var m = _regex.Match(text); m.Success; m = m.NextMatch())
                matches.Add((m.Index, m.Index + m.Length));
            return matches;
        }
        var (mapped, index) = StandInText(text);
        for (var m = _regex.Match(mapped); m.Success; m = m.NextMatch())
            matches.Add((index[m.Index], index[m.Index + m.Length]));
        return matches;
    }

    // The text with one char per code point, and for each of its positions (and its end) the index in the text.
    private static (string Mapped, int[] Index) StandInText(string text)
    {
        var mapped = new StringBuilder(text.Length);
        var index = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            index.Add(i);
            if (char.IsSurrogatePair(text, i))
            {
                mapped.Append(StandIns[(int)CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))]);
                i++;
            }
            else
            {
                mapped.Append(text[i]);
            }
        }
        index.Add(text.Length);
        return (mapped.ToString(), index.ToArray());
    }
}
