namespace PoFT.Shared.Data;

/// <summary>
/// The preference pairs of one data file (<c>.jsonl</c>, <c>.json</c> array or <c>.parquet</c>; <see cref="PreferenceRecord"/>'s
/// layouts), in file order, read as <see cref="SftDataSet"/> reads samples: a bad record stops the read with its
/// location and reason unless <c>skipBad</c>; pair ids unique; at least one pair.
/// </summary>
public sealed record PreferenceDataSet(string Path, IReadOnlyList<PreferencePair> Pairs, IReadOnlyList<SkippedRecord> Skipped, string Layout = "")
{
    public static PreferenceDataSet Read(string path, bool skipBad = false, DataFormat? format = null)
    {
        format ??= DataFormat.Default;
        if (format.IsSftLayout)
            throw new DataFormatException(path, $"data_format '{format.Layout}' is an SFT layout, and preference data is read here; " +
                $"expected auto or one of {string.Join(", ", PreferenceLayouts.Names)}");
        var records = new PreferenceRecord(format);
        var (pairs, skipped) = DataFileRecords.Read(path, skipBad, format.MaxRecordBytes, records.Read, p => p.Id, "pair");
        return new PreferenceDataSet(path, pairs, skipped, records.Layout ?? "");
    }

    /// <summary>Whether the file holds preference data: a preference layout named, or its first record (a Parquet file's
    /// columns) has <c>chosen</c> and <c>rejected</c>. Records that are not JSON objects are passed over here, for the
    /// read to report.</summary>
    public static bool IsPreferenceFile(string path, DataFormat? format = null)
    {
        if (format is { IsPreferenceLayout: true } or { IsSftLayout: true })
            return format.IsPreferenceLayout;
        if (DataFileRecords.IsParquet(path) && File.Exists(path))
            return ParquetRecords.Columns(path) is var columns && columns.Contains("chosen") && columns.Contains("rejected");
        foreach (var (_, read) in DataFileRecords.Of(path, (format ?? DataFormat.Default).MaxRecordBytes))
        {
            try { return PreferenceRecord.IsPreference(read()); }
            catch (DataFormatException) { }
        }
        return false;
    }

    /// <summary>Every pair's chosen then rejected sample (ids <c>ID/chosen</c>, <c>ID/rejected</c>) as a data set of
    /// the same file: what is scored and inspected of it, identified by the file's content as SFT data is.</summary>
    public SftDataSet AsSamples() => new(Path, [.. Pairs.SelectMany(p => p.Samples)], Skipped, Layout);
}
