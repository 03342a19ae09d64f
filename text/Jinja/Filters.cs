using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace PoFT.Text.Jinja;

/// <summary>
/// jinja2's builtin filters that chat templates use, with jinja2's argument names and defaults, plus
/// transformers' <c>tojson</c> (json.dumps: no HTML escaping, ensure_ascii=False, keys in insertion order).
/// Autoescape is off in transformers, so <c>safe</c> only turns its value into a string. There is no Markup type:
/// <c>escape</c> of an escaped string escapes again, where jinja2 would leave its Markup alone.
/// </summary>
internal static partial class Filters
{
    private delegate object? Filter(object? value, Arguments<object?> args);

    private static readonly Dictionary<string, Filter> All = new()
    {
        ["abs"] = (v, a) => v switch
        {
            long l => (object)checked(Math.Abs(l)),
            double d => Math.Abs(d),
            bool b => b ? 1L : 0L,
            _ => throw new TemplateError($"bad operand type for abs(): '{PyOps.TypeName(v)}'"),
        },
        ["attr"] = (v, a) => PyAccess.PythonAttribute(v, a.Get(0, "name") as string ?? throw new TemplateError("attr: the name must be a str")),
        ["capitalize"] = (v, a) => PyStrings.Capitalize(PyOps.Str(v)),
        ["count"] = (v, a) => PyOps.Length(v),
        ["default"] = Default,
        ["d"] = Default,
        ["e"] = (v, a) => Escape(v),
        ["escape"] = (v, a) => Escape(v),
        ["first"] = (v, a) => PyOps.Iterate(v) is { Count: > 0 } items ? items[0] : Undefined.WithHint("No first item, sequence was empty."),
        ["float"] = (v, a) => v is Undefined u ? throw u.Fail() : ToFloat(v) ?? a.Get(0, "default", 0.0),
        ["indent"] = Indent,
        ["int"] = (v, a) => v is Undefined u ? throw u.Fail() : ToInt(v, a.Get(1, "base", 10L)) ?? a.Get(0, "default", 0L),
        ["items"] = (v, a) => v switch
        {
            PyDict dict => dict.Select(kv => (object?)new[] { kv.Key, kv.Value }).ToList(),
            Undefined => new List<object?>(),
            _ => throw new TemplateError("Can only get item pairs from a mapping."),
        },
        ["join"] = (v, a) => PyOps.Join(Attributes(PyOps.Iterate(v), a.Get(1, "attribute")), PyOps.Str(a.Get(0, "d", ""))),
        ["last"] = (v, a) => v is PyIterator ? throw new TemplateError("'generator' object is not reversible")
            : PyOps.Iterate(v) is { Count: > 0 } items ? items[^1] : Undefined.WithHint("No last item, sequence was empty."),
        ["length"] = (v, a) => PyOps.Length(v),
        ["list"] = (v, a) => PyOps.Iterate(v).ToList(),
        ["lower"] = (v, a) => PyStrings.Lower(PyOps.Str(v)),
        ["map"] = Map,
        ["reject"] = (v, a) => SelectOrReject(v, a, byAttribute: false, keep: false),
        ["rejectattr"] = (v, a) => SelectOrReject(v, a, byAttribute: true, keep: false),
        ["replace"] = (v, a) => PyStrings.Replace(PyOps.Str(v), PyOps.Str(a.Get(0, "old")), PyOps.Str(a.Get(1, "new")), a.Get(2, "count") is long n ? n : -1),
        ["reverse"] = (v, a) => v is string s ? string.Concat(PyStrings.CodePoints(s).AsEnumerable().Reverse()) : new PyIterator(PyOps.Iterate(v).Reverse()),
        ["round"] = Round,
        ["safe"] = (v, a) => PyOps.Str(v),
        ["select"] = (v, a) => SelectOrReject(v, a, byAttribute: false, keep: true),
        ["selectattr"] = (v, a) => SelectOrReject(v, a, byAttribute: true, keep: true),
        ["sort"] = Sort,
        ["string"] = (v, a) => PyOps.Str(v),
        ["sum"] = (v, a) => Attributes(PyOps.Iterate(v), a.Get(0, "attribute")).Aggregate(a.Get(1, "start", 0L), (sum, x) => PyOps.Binary("+", sum, x)),
        ["title"] = (v, a) => string.Concat(WordBeginning().Split(PyOps.Str(v)).Where(w => w.Length > 0)
            .Select(w => PyStrings.Upper(w[..1]) + PyStrings.Lower(w[1..]))),
        ["tojson"] = (v, a) => PyJson.Dumps(v, PyOps.Truthy(a.Expect("tojson", "ensure_ascii", "indent", "separators", "sort_keys").Get(0, "ensure_ascii", false)),
            a.Get(1, "indent"), a.Get(2, "separators"), PyOps.Truthy(a.Get(3, "sort_keys", false))),
        ["trim"] = (v, a) => PyStrings.Strip(PyOps.Str(v), a.Get(0, "chars") as string),
        ["unique"] = Unique,
        ["upper"] = (v, a) => PyStrings.Upper(PyOps.Str(v)),
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static object? Apply(string name, object? value, Arguments<object?> args) =>
        All.TryGetValue(name, out var filter) ? filter(value, args) : throw new TemplateError($"no filter named '{name}'");

    // jinja2's title filter starts a word after '-', whitespace, or an opening bracket (unlike str.title).
    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginning();

    private static object? Default(object? value, Arguments<object?> a)
    {
        var fallback = a.Get(0, "default_value", "");
        return value is Undefined || (PyOps.Truthy(a.Get(1, "boolean", false)) && !PyOps.Truthy(value)) ? fallback : value;
    }

    private static string Escape(object? value) => PyOps.Str(value)
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");

    /// <summary>An item's attribute by dotted path ("function.name", "0"), as jinja2's make_attrgetter reads it.</summary>
    public static object? AttributePath(object? item, object? path)
    {
        if (path is not string dotted)
            return PyAccess.GetItem(item, path);
        foreach (var part in dotted.Split('.'))
            item = PyAccess.GetItem(item, long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : part);
        return item;
    }

    private static IEnumerable<object?> Attributes(IEnumerable<object?> items, object? attribute) =>
        attribute is null ? items : items.Select(x => AttributePath(x, attribute));

    private static PyIterator SelectOrReject(object? value, Arguments<object?> a, bool byAttribute, bool keep)
    {
        var skip = byAttribute ? 1 : 0;
        var attribute = byAttribute ? a.Get(0, "attribute") : null;
        var testName = a.Positional.Count > skip ? a.Positional[skip] as string : null;
        var testArgs = new Arguments<object?>(a.Positional.Skip(skip + 1).ToList(), a.Named.Where(n => n.Name != "attribute").ToList());
        bool Passes(object? item)
        {
            var x = byAttribute ? AttributePath(item, attribute) : item;
            return testName is null ? PyOps.Truthy(x) : Tests.Apply(testName, x, testArgs);
        }
        return new PyIterator(PyOps.Iterate(value).Where(x => Passes(x) == keep));
    }

    private static PyIterator Map(object? value, Arguments<object?> a)
    {
        var items = PyOps.Iterate(value);
        if (a.Positional.Count == 0 && a.Has(0, "attribute"))
        {
            var attribute = a.Get(0, "attribute");
            var hasDefault = a.Has(0, "default");
            return new PyIterator(items.Select(x => AttributePath(x, attribute) is Undefined && hasDefault ? a.Keyword("default") : AttributePath(x, attribute)));
        }
        var filter = a.Positional.Count > 0 ? a.Positional[0] as string : null;
        if (filter is null || !Exists(filter))
            throw new TemplateError($"map: no filter named {PyOps.Repr(a.Positional.Count > 0 ? a.Positional[0] : null)}");
        var rest = new Arguments<object?>(a.Positional.Skip(1).ToList(), a.Named);
        return new PyIterator(items.Select(x => Apply(filter, x, rest)));
    }

    private static PyIterator Unique(object? value, Arguments<object?> a)
    {
        var caseSensitive = PyOps.Truthy(a.Get(0, "case_sensitive", false));
        var attribute = a.Get(1, "attribute");
        var seen = new List<object?>();
        return new PyIterator(PyOps.Iterate(value).Where(item =>
        {
            var key = attribute is null ? item : AttributePath(item, attribute);
            if (!caseSensitive && key is string s)
                key = PyStrings.Lower(s);
            if (seen.Any(x => PyOps.Equal(x, key)))
                return false;
            seen.Add(key);
            return true;
        }));
    }

    private static List<object?> Sort(object? value, Arguments<object?> a)
    {
        var reverse = PyOps.Truthy(a.Get(0, "reverse", false));
        var caseSensitive = PyOps.Truthy(a.Get(1, "case_sensitive", false));
        var attribute = a.Get(2, "attribute");
        object? Key(object? item)
        {
            var key = attribute is null ? item : AttributePath(item, attribute);
            return !caseSensitive && key is string s ? PyStrings.Lower(s) : key;
        }
        var items = PyOps.Iterate(value).ToList();
        // Python's sort is stable, and reverse=True keeps equal items in their order too.
        var sorted = items.Select((item, i) => (Item: item, Index: i)).Order(Comparer<(object? Item, int Index)>.Create((x, y) =>
        {
            var c = PyOps.Compare(Key(x.Item), Key(y.Item), "<");
            return c != 0 ? (reverse ? -c : c) : x.Index.CompareTo(y.Index);
        }));
        return sorted.Select(p => p.Item).ToList();
    }

    private static object? Round(object? value, Arguments<object?> a)
    {
        var precision = a.Get(0, "precision", 0L) is long p ? (int)p : throw new TemplateError("round: precision must be an int");
        var method = a.Get(1, "method", "common") as string;
        if (!PyOps.IsNumber(value))
            throw new TemplateError($"type {PyOps.TypeName(value)} doesn't define __round__ method");
        var x = value is double d ? d : Convert.ToDouble(value is bool b ? (b ? 1L : 0L) : (long)value!, CultureInfo.InvariantCulture);
        var scale = Math.Pow(10, precision);
        return method switch
        {
            "common" when value is not double => value is bool flag ? (flag ? 1L : 0L) : value,
            "common" => RoundHalfEven(x, precision),
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => throw new TemplateError("method must be 'common', 'ceil' or 'floor'"),
        };
    }

    /// <summary>Python's round(x, n): the exact binary value, rounded half to even at n decimals.</summary>
    private static double RoundHalfEven(double x, int precision)
    {
        if (!double.IsFinite(x) || precision > 300)
            return x;
        var exact = Math.Abs(x).ToString("F" + (Math.Max(precision, 0) + 60), CultureInfo.InvariantCulture);
        var point = exact.IndexOf('.');
        var digits = exact.Remove(point, 1);
        var keep = point + precision;
        if (keep < 0)
        {
            digits = new string('0', -keep) + digits;
            keep = 0;
        }
        var kept = BigInteger.Parse("0" + digits[..keep], CultureInfo.InvariantCulture);
        var rest = digits[keep..];
        var roundUp = rest[0] > '5' || (rest[0] == '5' && (rest.AsSpan(1).ContainsAnyExcept('0') || !kept.IsEven));
        var rounded = double.Parse($"{kept + (roundUp ? 1 : 0)}E{-precision}", CultureInfo.InvariantCulture);
        return x < 0 ? -rounded : rounded;
    }

    private static string Indent(object? value, Arguments<object?> a)
    {
        var width = a.Get(0, "width", 4L);
        var indentation = width as string ?? new string(' ', (int)Math.Max(0, width is long w ? w : 4));
        var first = PyOps.Truthy(a.Get(1, "first", false));
        var blank = PyOps.Truthy(a.Get(2, "blank", false));
        var lines = SplitLines(PyOps.Str(value) + "\n");
        var rv = blank ? string.Join("\n" + indentation, lines)
            : lines[0] + string.Concat(lines.Skip(1).Select(line => "\n" + (line.Length > 0 ? indentation + line : line)));
        return first ? indentation + rv : rv;
    }

    /// <summary>Python's str.splitlines: every line boundary it knows, the final one not making an empty line.</summary>
    private static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029'))
                continue;
            lines.Add(s[start..i]);
            if (s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n')
                i++;
            start = i + 1;
        }
        if (start < s.Length)
            lines.Add(s[start..]);
        return lines;
    }

    private static long? ToInt(object? value, object? numberBase)
    {
        switch (value)
        {
            case long l: return l;
            case bool b: return b ? 1 : 0;
            case double d: return double.IsFinite(d) && Math.Abs(d) < 9.2e18 ? (long)Math.Truncate(d) : null;
            case string s:
                var text = PyStrings.Strip(s).Replace("_", "");
                var radix = numberBase is long r ? (int)r : 10;
                if (radix == 10 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                    return parsed;
                if (radix is 2 or 8 or 16)
                {
                    var digits = Regex.Replace(text, "^(0[bBoOxX])", "");
                    try
                    {
                        return Convert.ToInt64(digits, radix);
                    }
                    catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
                    {
                        return null;
                    }
                }
                return ToFloat(s) is double f && double.IsFinite(f) ? (long)Math.Truncate(f) : null;
            default:
                return null;
        }
    }

    private static double? ToFloat(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        string s => PyStrings.Strip(s).Replace("_", "").ToLowerInvariant() switch
        {
            "inf" or "+inf" or "infinity" or "+infinity" => double.PositiveInfinity,
            "-inf" or "-infinity" => double.NegativeInfinity,
            "nan" or "+nan" or "-nan" => double.NaN,
            var t when t.Length > 0 && !t.Contains(',') && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) => f,
            _ => null,
        },
        _ => null,
    };
}
