using System.Globalization;
using System.Text;

namespace PoFT.Text.Jinja;

/// <summary>
/// Python's <c>json.dumps(x, ensure_ascii, indent, separators, sort_keys)</c>, which transformers installs as the
/// templates' <c>tojson</c> filter (jinja2's own would HTML-escape and sort keys): default separators
/// <c>", "</c> and <c>": "</c> (<c>","</c> once indented), floats as Python writes them, insertion order kept.
/// </summary>
internal static class PyJson
{
    public static string Dumps(object? value, bool ensureAscii, object? indent, object? separators, bool sortKeys)
    {
        var indentText = indent switch
        {
            null => null,
            long n => new string(' ', (int)Math.Clamp(n, 0, 1000)),
            string s => s,
            _ => throw new TemplateError($"tojson: indent must be an int or a str, not {PyOps.TypeName(indent)}"),
        };
        var (item, key) = separators switch
        {
            null => (indentText is null ? ", " : ",", ": "),
            IReadOnlyList<object?> pair when pair.Count == 2 && pair[0] is string i && pair[1] is string k => (i, k),
            _ => throw new TemplateError("tojson: separators must be an (item_separator, key_separator) pair of strings"),
        };
        var sb = new StringBuilder();
        new Writer(sb, ensureAscii, indentText, item, key, sortKeys).Write(value, 0);
        return sb.ToString();
    }

    private sealed record Writer(StringBuilder Sb, bool EnsureAscii, string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys)
    {
        public void Write(object? value, int level)
        {
            switch (value)
            {
                case null: Sb.Append("null"); break;
                case bool b: Sb.Append(b ? "true" : "false"); break;
                case long l: Sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case double d: Sb.Append(Float(d)); break;
                case string s: String(s); break;
                case List<object?> or object?[]:
                    var items = (IReadOnlyList<object?>)value;
                    Container('[', ']', items.Count, level, (i, next) => Write(items[i], next));
                    break;
                case PyDict dict:
                    var pairs = dict.Select(kv => (Key: Key(kv.Key), kv.Value)).ToList();
                    if (SortKeys)
                        pairs.Sort((x, y) => PyOps.Compare(x.Key, y.Key, "<"));
                    Container('{', '}', pairs.Count, level, (i, next) =>
                    {
                        String(pairs[i].Key);
                        Sb.Append(KeySeparator);
                        Write(pairs[i].Value, next);
                    });
                    break;
                default:
                    throw new TemplateError($"Object of type {PyOps.TypeName(value)} is not JSON serializable");
            }
        }

        private void Container(char open, char close, int count, int level, Action<int, int> writeItem)
        {
            Sb.Append(open);
            if (count > 0)
            {
                for (var i = 0; i < count; i++)
                {
                    if (i > 0)
                        Sb.Append(ItemSeparator);
                    NewLine(level + 1);
                    writeItem(i, level + 1);
                }
                NewLine(level);
            }
            Sb.Append(close);
        }

        private void NewLine(int level)
        {
            if (Indent is null)
                return;
            Sb.Append('\n');
            for (var i = 0; i < level; i++)
                Sb.Append(Indent);
        }

        private static string Key(object key) => key switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => Float(d),
            _ => throw new TemplateError($"keys must be str, int, float, bool or None, not {PyOps.TypeName(key)}"),
        };

        private static string Float(double d) =>
            double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PyStrings.FloatRepr(d);

        private void String(string s)
        {
            Sb.Append('"');
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': Sb.Append("\\\""); break;
                    case '\\': Sb.Append(@"\\"); break;
                    case '\n': Sb.Append(@"\n"); break;
                    case '\r': Sb.Append(@"\r"); break;
                    case '\t': Sb.Append(@"\t"); break;
                    case '\b': Sb.Append(@"\b"); break;
                    case '\f': Sb.Append(@"\f"); break;
                    default:
                        if (c < ' ' || (EnsureAscii && c > '~'))
                            Sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                        else
                            Sb.Append(c);
                        break;
                }
            }
            Sb.Append('"');
        }
    }
}
