using System.Globalization;
using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>The keys a list of turns uses: the list's field, each turn's role, content and weight keys, and the map
/// from the file's role names to ours (<c>messages</c>: role/content; ShareGPT: from/value, human → user, gpt → assistant).</summary>
internal sealed record TurnKeys(string Field, string Role, string Content, string Weight, IReadOnlyDictionary<string, string> Roles)
{
    /// <summary>These keys with the mapping's names in place of the defaults, and its roles added to the map.</summary>
    public TurnKeys MappedBy(ColumnMapping columns) => new(columns.Messages ?? Field, columns.Role ?? Role, columns.Content ?? Content,
        columns.Weight ?? Weight, new Dictionary<string, string>([.. Roles.Where(r => !columns.Roles.ContainsKey(r.Key)), .. columns.Roles]));
}

/// <summary>
/// A list of turns read into messages. A turn's weight (OpenHermes-2.5's records carry the key, mostly null) follows
/// axolotl's ShareGPT convention: 0 = not trained on, 1 or null or absent = trained; an assistant turn of weight 0 is
/// context, rendered but neither scored nor trained on. Weights between 0 and 1 (a loss scale) are refused, as are
/// roles the map lacks (<c>tool</c>, <c>function_call</c>, …), naming them and the way to map them.
/// </summary>
internal static class ConversationTurns
{
    public static void Read(JsonArray list, TurnKeys keys, ReadConversation into, Func<string, DataFormatException> bad)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var where = $"{keys.Field}[{i}]";
            if (list[i] is not JsonObject turn)
                throw bad($"{where} must be an object with '{keys.Role}' and '{keys.Content}'");
            var name = RecordFields.Text(turn, keys.Role, where, bad);
            if (!keys.Roles.TryGetValue(name, out var role))
                throw bad($"{where}.{keys.Role} '{name}' is not a role this layout knows ({string.Join(", ", keys.Roles.Keys.Select(k => $"'{k}'"))}); " +
                    $"map it, e.g. \"data_columns\": {{\"roles\": {{\"{name}\": \"user\"}}}} (or --data-columns), or drop the turn");
            var content = RecordFields.Text(turn, keys.Content, where, bad);
            var context = role == ChatMessage.Assistant && Weight(turn, keys.Weight, where, bad) == 0;
            into.Add(new ChatMessage(role, content), () => $"{where} ({keys.Role} '{name}')", context);
        }
    }

    private static int Weight(JsonObject turn, string key, string where, Func<string, DataFormatException> bad) => turn[key] switch
    {
        null => 1,
        JsonValue v when v.TryGetValue<double>(out var w) && w is 0 or 1 => (int)w,
        JsonValue v when v.TryGetValue<long>(out var n) && n is 0 or 1 => (int)n,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? 1 : 0,
        var other => throw bad($"{where}.{key} {other.ToJsonString()}: expected 0 (context, not trained), 1 or null (trained)"),
    };

    public static string Describe(TurnKeys keys) => string.Create(CultureInfo.InvariantCulture,
        $"'{keys.Field}', a list of {{\"{keys.Role}\", \"{keys.Content}\"}} turns (roles {string.Join(", ", keys.Roles.Keys)})");
}
