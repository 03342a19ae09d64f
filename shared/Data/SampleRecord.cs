using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>
/// The records of one SFT data file (JSONL lines, JSON array elements or Parquet rows, each seen as a JSON object)
/// turned into <see cref="SftSample"/>s, in one layout (<see cref="SftLayouts"/>): the one <c>data_format</c> names,
/// or with <c>auto</c> the one the first record fits, which every later record must fit too. Optional
/// <c>"id"</c> (or <c>"prompt_id"</c>; a mapped id field), string or integer, <c>"is_noise"</c> (bool) and <c>"weight"</c>
/// (the sample's loss scale, a number ≥ 0). Without an
/// id, the id is derived from the content, so it is stable across runs, shards and file orders.
/// </summary>
public sealed class SampleRecord(DataFormat format)
{
    public const string NoiseField = "is_noise";

    private readonly IReadOnlyList<SftLayout> _layouts = format.IsSftLayout
        ? [.. SftLayouts.For(format.Mapping).Where(l => l.Name == format.Layout)]
        : SftLayouts.For(format.Mapping);

    private static readonly string[] Native = [SftLayouts.Messages, SftLayouts.PromptResponse];

    private SftLayout? _layout;
    private string? _detectedAt;

    /// <summary>The layout the records are read in, and how it was chosen; null before the first record is read.</summary>
    public string? Layout => _layout is null ? null : _detectedAt is null ? $"{_layout.Name} (data_format)" : $"{_layout.Name} (detected from {_detectedAt})";

    /// <summary>One record, in <c>messages</c> or <c>prompt-response</c> layout (the first that fits).</summary>
    public static SftSample Parse(JsonObject record, string location) => new SampleRecord(DataFormat.Default).Read(record, location);

    public SftSample Read(JsonObject record, string location)
    {
        DataFormatException Bad(string reason) => new(location, reason);
        if (record.ContainsKey("chosen") || record.ContainsKey("rejected"))
            throw Bad("a preference record ('chosen', 'rejected') in an SFT data file: expected 'messages', or 'prompt' and 'response' " +
                "(a file whose first record has 'chosen' and 'rejected' is read as preference data)");
        var layout = LayoutOf(record, location, Bad);
        var read = new ReadConversation(format.KeepOrigins);
        layout.Read(record, read, Bad);
        var messages = read.Messages;
        if (messages.Count == 0)
            throw Bad($"no turns: the record's {layout.Name} fields hold no message");
        if (!messages.Any(m => m.Role == ChatMessage.Assistant))
            throw Bad("no assistant message: nothing to score as a response");
        var emptyAt = messages.FindIndex(m => m.Role == ChatMessage.Assistant && string.IsNullOrWhiteSpace(m.Content));
        if (emptyAt >= 0)
            throw Bad($"messages[{emptyAt}]: empty assistant response");
        if (read.Context?.Count == messages.Count(m => m.Role == ChatMessage.Assistant))
            throw Bad("every assistant turn has weight 0 (context): nothing to train on or score");
        var isNoise = record[NoiseField] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => throw Bad($"field '{NoiseField}' must be true or false"),
        };
        var id = RecordFields.Id(record, format.Mapping.Id, () => RecordFields.ContentId(messages, read.Context), Bad);
        var weight = RecordFields.Weight(record, Bad);
        return new SftSample(id, messages, isNoise, ContextTurns: read.Context) { Origins = read.Origins, Weight = weight, Location = location };
    }

    /// <summary>The file's layout: fixed by the first record read (or by <c>data_format</c>); a record that does not fit
    /// it is refused with what the layout needs and, where it fits another, which.</summary>
    private SftLayout LayoutOf(JsonObject record, string location, Func<string, DataFormatException> bad)
    {
        if (_layout is { } fixedLayout)
        {
            if (fixedLayout.Fits(record))
                return fixedLayout;
            // The two layouts this project always read mix, as they did before layouts were named.
            if (_detectedAt is not null && Native.Contains(fixedLayout.Name) && _layouts.FirstOrDefault(l => l.Fits(record)) is { } native && Native.Contains(native.Name))
                return native;
            var how = _detectedAt is null ? "named by data_format" : $"detected from the first record, {_detectedAt}";
            var other = SftLayouts.For(format.Mapping).FirstOrDefault(l => l.Fits(record));
            throw bad(other is not null
                ? $"a record in layout '{other.Name}' in a file of layout '{fixedLayout.Name}' ({how}): one file holds one layout; it needs {fixedLayout.Needs}"
                : $"does not fit layout '{fixedLayout.Name}' ({how}): it needs {fixedLayout.Needs}; the record has {Fields(record)}");
        }
        var fits = _layouts.FirstOrDefault(l => l.Fits(record))
            ?? throw bad($"fits no {(format.IsSftLayout ? $"layout '{format.Layout}' (data_format)" : "SFT layout")}: the record has {Fields(record)}; tried " +
                string.Join("; ", _layouts.Select(l => $"{l.Name} (needs {l.Needs})")) +
                " — name the fields with data_columns (--data-columns), docs/data.md");
        _layout = fits;
        _detectedAt = format.IsSftLayout ? null : location;
        return fits;
    }

    private static string Fields(JsonObject record) =>
        record.Count == 0 ? "no fields" : "fields " + string.Join(", ", record.Select(p => $"'{p.Key}'"));

    /// <summary>The id a record without one gets: 16 hex digits of SHA-256 over roles and contents.</summary>
    public static string ContentId(IReadOnlyList<ChatMessage> messages) => RecordFields.ContentId(messages);
}
