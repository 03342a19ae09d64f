using System.Globalization;
using System.Text;

namespace PoFT.Text.Jinja;

/// <summary>
/// Python's str semantics where .NET's differ: whitespace is <c>str.isspace</c>'s set (with U+001C–U+001F and
/// U+0085, which <c>string.Trim</c> treats otherwise), lengths, indices and slices count code points (an emoji
/// is one character), <c>split</c>, <c>title</c>, <c>capitalize</c>, <c>replace</c> with an empty pattern, and
/// the shortest round-trip <c>repr</c> of floats (1.0, 0.1, 1e-05, 1e+16). Case mapping is .NET's one-to-one
/// mapping plus the common expansions of upper() (ß → SS, ligatures); Python's other special casings are not done.
/// </summary>
internal static class PyStrings
{
    public static bool IsSpace(char c) => c switch
    {
        >= '\t' and <= '\r' or >= '\x1c' and <= ' ' or '\x85' or '\xa0' or '\u1680' => true,
        >= '\u2000' and <= '\u200a' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' => true,
        _ => false,
    };

    public static string Strip(string s, string? chars = null) => RStrip(LStrip(s, chars), chars);

    public static string LStrip(string s, string? chars = null)
    {
        var i = 0;
        while (i < s.Length && Strippable(s[i], chars))
            i++;
        return s[i..];
    }

    public static string RStrip(string s, string? chars = null)
    {
        var i = s.Length;
        while (i > 0 && Strippable(s[i - 1], chars))
            i--;
        return s[..i];
    }

    private static bool Strippable(char c, string? chars) => chars is null ? IsSpace(c) : chars.Contains(c);

    /// <summary>The string's characters as Python counts them: one string per code point.</summary>
    public static List<string> CodePoints(string s)
    {
        var result = new List<string>(s.Length);
        for (var i = 0; i < s.Length; i++)
            result.Add(char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? s.Substring(i++, 2) : s[i].ToString());
        return result;
    }

    public static int Length(string s)
    {
        var n = s.Length;
        for (var i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                n--;
                i++;
            }
        return n;
    }

    /// <summary>The code-point index of a UTF-16 index (for find and friends).</summary>
    public static int CodePointIndex(string s, int utf16Index) => utf16Index < 0 ? utf16Index : Length(s[..utf16Index]);

    public static List<string> Split(string s, string? separator, long maxSplit)
    {
        var parts = new List<string>();
        if (separator is null)
        {
            var i = 0;
            while (true)
            {
                while (i < s.Length && IsSpace(s[i]))
                    i++;
                if (i == s.Length)
                    return parts;
                if (maxSplit >= 0 && parts.Count == maxSplit)
                {
                    parts.Add(s[i..]);
                    return parts;
                }
                var start = i;
                while (i < s.Length && !IsSpace(s[i]))
                    i++;
                parts.Add(s[start..i]);
            }
        }
        if (separator.Length == 0)
            throw new TemplateError("empty separator");
        var from = 0;
        for (var at = s.IndexOf(separator, StringComparison.Ordinal); at >= 0 && (maxSplit < 0 || parts.Count < maxSplit);
             at = s.IndexOf(separator, from, StringComparison.Ordinal))
        {
            parts.Add(s[from..at]);
            from = at + separator.Length;
        }
        parts.Add(s[from..]);
        return parts;
    }

    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0)
            count = long.MaxValue;
        var sb = new StringBuilder();
        if (old.Length == 0)
        {
            // Python inserts the replacement before every character and at the end.
            var chars = CodePoints(s);
            for (var i = 0; i <= chars.Count; i++)
            {
                if (i < count)
                    sb.Append(replacement);
                if (i < chars.Count)
                    sb.Append(chars[i]);
            }
            return sb.ToString();
        }
        var from = 0;
        for (var n = 0L; n < count; n++)
        {
            var at = s.IndexOf(old, from, StringComparison.Ordinal);
            if (at < 0)
                break;
            sb.Append(s, from, at - from).Append(replacement);
            from = at + old.Length;
        }
        return sb.Append(s, from, s.Length - from).ToString();
    }

    public static long Count(string s, string sub)
    {
        if (sub.Length == 0)
            return Length(s) + 1;
        var n = 0L;
        for (var at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal))
            n++;
        return n;
    }

    // Python's str.upper applies Unicode's special casing, which .NET's one-to-one mapping lacks: the common ones.
    private static readonly Dictionary<char, string> UpperExpansions = new()
    {
        ['ß'] = "SS", ['ŉ'] = "ʼN", ['ﬀ'] = "FF", ['ﬁ'] = "FI", ['ﬂ'] = "FL", ['ﬃ'] = "FFI", ['ﬄ'] = "FFL", ['ﬅ'] = "ST", ['ﬆ'] = "ST",
    };

    public static string Upper(string s)
    {
        var upper = s.ToUpperInvariant();
        if (upper.AsSpan().IndexOfAny("ßŉﬀﬁﬂﬃﬄﬅﬆ") < 0)
            return upper;
        var sb = new StringBuilder(upper.Length + 4);
        foreach (var c in upper)
            sb.Append(UpperExpansions.TryGetValue(c, out var expansion) ? expansion : c.ToString());
        return sb.ToString();
    }
    public static string Lower(string s) => s.ToLowerInvariant();

    /// <summary>Python's str.title: a cased character after an uncased one starts a word ("they're" → "They'Re").</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in CodePoints(s))
        {
            var cased = IsCased(c);
            sb.Append(!cased ? c : previousCased ? c.ToLowerInvariant() : c.ToUpperInvariant());
            previousCased = cased;
        }
        return sb.ToString();
    }

    public static string Capitalize(string s)
    {
        if (s.Length == 0)
            return s;
        var chars = CodePoints(s);
        return chars[0].ToUpperInvariant() + string.Concat(chars.Skip(1)).ToLowerInvariant();
    }

    private static bool IsCased(string c) => c.ToUpperInvariant() != c || c.ToLowerInvariant() != c
        || CharUnicodeInfo.GetUnicodeCategory(c, 0) == UnicodeCategory.TitlecaseLetter;

    /// <summary>Python's repr of a float: the shortest digits that round-trip, fixed point when 1e-4 &lt;= |x| &lt; 1e16.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d))
            return "nan";
        if (double.IsInfinity(d))
            return d > 0 ? "inf" : "-inf";
        if (d == 0)
            return double.IsNegative(d) ? "-0.0" : "0.0";
        var r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E');
        var mantissa = e < 0 ? r : r[..e];
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        var digits = mantissa.Replace(".", "");
        var decimalPoint = (point < 0 ? mantissa.Length : point) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decimalPoint -= leadingZeros;
        var sign = d < 0 ? "-" : "";
        if (decimalPoint is > -4 and <= 16)
        {
            if (decimalPoint <= 0)
                return $"{sign}0.{new string('0', -decimalPoint)}{digits}";
            if (decimalPoint >= digits.Length)
                return $"{sign}{digits}{new string('0', decimalPoint - digits.Length)}.0";
            return $"{sign}{digits[..decimalPoint]}.{digits[decimalPoint..]}";
        }
        var exp = decimalPoint - 1;
        var fraction = digits.Length > 1 ? "." + digits[1..] : "";
        return $"{sign}{digits[0]}{fraction}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
    }

    /// <summary>Python's repr of a str: quotes, escapes, and non-printable characters as \x, \u or \U escapes.</summary>
    public static string Repr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2).Append(quote);
        for (var i = 0; i < s.Length; i++)
        {
            int code = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                code = char.ConvertToUtf32(s[i], s[++i]);
            switch (code)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\t': sb.Append(@"\t"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                default:
                    if (code == quote)
                        sb.Append('\\').Append(quote);
                    else if (code is >= ' ' and < 0x7f || (code > 0x7f && IsPrintable(code)))
                        sb.Append(char.ConvertFromUtf32(code));
                    else if (code <= 0xff)
                        sb.Append(CultureInfo.InvariantCulture, $"\\x{code:x2}");
                    else if (code <= 0xffff)
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{code:x4}");
                    else
                        sb.Append(CultureInfo.InvariantCulture, $"\\U{code:x8}");
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }

    private static bool IsPrintable(int code)
    {
        if (code is >= 0xD800 and <= 0xDFFF)
            return false;
        return CharUnicodeInfo.GetUnicodeCategory(code) is not (UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
    }
}
