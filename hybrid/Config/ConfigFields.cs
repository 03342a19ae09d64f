using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace PoFT.Hybrid.Config;

/// <summary>
/// A config's fields checked against the ones it may hold, in the file's own spelling: an unknown field is named
/// with the nearest known one ("did you mean") or the list of them, never with the .NET member or type it failed to
/// map to — System.Text.Json's own message ("could not be mapped to any .NET member contained in type …") is
/// written for the program's authors, not for the user editing the JSON.
/// </summary>
public static class ConfigFields
{
    /// <summary>Walks <paramref name="node"/> as <paramref name="type"/> is serialized under <paramref name="options"/>,
    /// into every nested object field.</summary>
    /// <exception cref="FormatException">A field <paramref name="type"/> does not have, naming its path.</exception>
    public static void RequireKnown(string file, JsonObject node, Type type, JsonSerializerOptions options, string prefix = "")
    {
        var info = options.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object)
            return;
        var fields = info.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (name, value) in node)
        {
            if (!fields.TryGetValue(name, out var field))
                throw new FormatException($"{file}: field '{prefix}{name}' is not a field of {(prefix.Length == 0 ? "the config" : $"'{prefix.TrimEnd('.')}'")}; {Suggestion(name, fields.Keys)}");
            if (value is JsonObject inner)
                RequireKnown(file, inner, Nullable.GetUnderlyingType(field.PropertyType) ?? field.PropertyType, options, $"{prefix}{name}.");
        }
    }

    /// <summary>"did you mean 'x'?" where one known name is within a few edits of <paramref name="name"/>, else the
    /// known names.</summary>
    public static string Suggestion(string name, IEnumerable<string> known)
    {
        var nearest = known.Select(k => (Name: k, Distance: EditDistance(name, k))).OrderBy(k => k.Distance).ThenBy(k => k.Name, StringComparer.Ordinal).ToList();
        // Two edits, or a third of a long name: 'modle' finds 'model', 'learning_rat' 'learning_rate'.
        return nearest.Count > 0 && nearest[0].Distance <= Math.Max(2, name.Length / 3)
            ? $"did you mean '{nearest[0].Name}'?"
            : $"expected one of {string.Join(", ", nearest.Select(k => k.Name).Order(StringComparer.Ordinal))}";
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions, each one edit.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
