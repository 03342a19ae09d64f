namespace PoFT.Shared.Data;

/// <summary>
/// How to read a data file's records: its <see cref="Layout"/> (<c>auto</c>: detected from the first record, or one of
/// <see cref="SftLayouts.Names"/> and <see cref="PreferenceLayouts.Names"/>), and <see cref="Columns"/>, the mapping
/// for fields named otherwise. The train config's <c>data_format</c> and <c>data_columns</c>, and the
/// <c>--data-format</c> and <c>--data-columns</c> flags of <c>score</c>, <c>inspect</c> and <c>merge-scores</c>.
/// </summary>
/// <param name="KeepOrigins">Keep, per sample, how each message was read from its record (<c>inspect</c>).</param>
public sealed record DataFormat(string Layout = DataFormat.Auto, ColumnMapping? Columns = null, bool KeepOrigins = false)
{
    public const string Auto = "auto";

    /// <summary>The default of <see cref="MaxRecordMb"/>: far above any chat sample (UltraChat's longest are ~100 KB),
    /// far below what would exhaust memory once parsed and tokenized.</summary>
    public const int DefaultMaxRecordMb = 16;

    /// <summary>The largest record read, in MiB (2^20 bytes) of its JSONL line or JSON array element: a longer one is a
    /// bad record at its <c>file:line</c>, found while the bytes are read, before any is kept whole, parsed or
    /// tokenized. The train config's <c>max_record_mb</c>; <c>--max-record-mb</c> on <c>score</c>, <c>inspect</c>
    /// and <c>merge-scores</c>.</summary>
    public int MaxRecordMb { get; init; } = DefaultMaxRecordMb;

    public long MaxRecordBytes => (long)MaxRecordMb << 20;

    public static DataFormat Default { get; } = new();

    public ColumnMapping Mapping => Columns ?? ColumnMapping.None;

    /// <summary>Every value <c>data_format</c> takes.</summary>
    public static IReadOnlyList<string> Names => [Auto, .. SftLayouts.Names, .. PreferenceLayouts.Names];

    /// <summary>The format, checked: an unknown layout name is an error listing the known ones.</summary>
    public static DataFormat Of(string? layout, ColumnMapping? columns, string source)
    {
        layout ??= Auto;
        return Names.Contains(layout) ? new DataFormat(layout, columns)
            : throw new FormatException($"{source} '{layout}': expected one of {string.Join(", ", Names)}");
    }

    /// <summary>This format for an SFT file: a preference layout's name does not apply, so the layout is detected.</summary>
    public DataFormat ForSft() => IsPreferenceLayout ? this with { Layout = Auto } : this;

    /// <summary>This format for a preference file: an SFT layout's name does not apply, so the layout is detected.</summary>
    public DataFormat ForPreference() => IsSftLayout ? this with { Layout = Auto } : this;

    public bool IsPreferenceLayout => PreferenceLayouts.Names.Contains(Layout);
    public bool IsSftLayout => SftLayouts.Names.Contains(Layout);
}
