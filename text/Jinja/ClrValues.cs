using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Text.Jinja;

/// <summary>
/// Turns the caller's variables into template values, deep-copied: strings, numbers, bools and null; lists and
/// other sequences; dictionaries (insertion order kept); and JSON (<see cref="JsonElement"/>, <see cref="JsonNode"/>),
/// whose numbers are ints when written without a fraction or exponent, as Python's json.loads reads them.
/// </summary>
internal static class ClrValues
{
    public static object? From(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int or short or byte or sbyte or uint or ushort => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong u => u <= long.MaxValue ? (long)u : (double)u,
        float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        char c => c.ToString(),
        JsonElement element => FromJson(element),
        JsonNode node => FromJson(JsonSerializer.SerializeToElement(node)),
        IDictionary dictionary => Dict(Entries(dictionary)),
        IEnumerable<KeyValuePair<string, object?>> pairs => Dict(pairs.Select(p => ((object)p.Key, p.Value))),
        IEnumerable sequence => sequence.Cast<object?>().Select(From).ToList(),
        _ => throw new ArgumentException($"a template variable cannot be a {value.GetType().Name}"),
    };

    // IDictionary's own enumerator: a generic dictionary's IEnumerable yields KeyValuePairs, not DictionaryEntries.
    private static IEnumerable<(object, object?)> Entries(IDictionary dictionary)
    {
        var entries = dictionary.GetEnumerator();
        while (entries.MoveNext())
            yield return (entries.Key, entries.Value);
    }

    private static PyDict Dict(IEnumerable<(object Key, object? Value)> pairs)
    {
        var dict = new PyDict();
        foreach (var (key, value) in pairs)
            dict[From(key) ?? throw new ArgumentException("a template dictionary key cannot be null")] = From(value);
        return dict;
    }

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number when element.GetRawText().AsSpan().IndexOfAny(".eE") < 0 && element.TryGetInt64(out var l) => l,
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => Dict(element.EnumerateObject().Select(p => ((object)p.Name, (object?)p.Value))),
        _ => throw new ArgumentException($"unexpected JSON {element.ValueKind}"),
    };
}
