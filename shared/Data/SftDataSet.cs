namespace PoFT.Shared.Data;

/// <summary>
/// The samples of one SFT data file (<c>.jsonl</c>, <c>.json</c> array or <c>.parquet</c>, same fields), in file
/// order, read in one layout (<see cref="SampleRecord"/>). A bad record stops the read with its location and reason,
/// unless <c>skipBad</c>, which skips and lists it. Sample ids must be unique within the file, and a file must hold at
/// least one sample.
/// </summary>
/// <param name="Layout">The layout the records were read in and how it was chosen, e.g. <c>sharegpt (detected from data.jsonl:1)</c>.</param>
public sealed record SftDataSet(string Path, IReadOnlyList<SftSample> Samples, IReadOnlyList<SkippedRecord> Skipped, string Layout = "")
{
    public static SftDataSet Read(string path, bool skipBad = false, DataFormat? format = null)
    {
        format ??= DataFormat.Default;
        if (format.IsPreferenceLayout)
            throw new DataFormatException(path, $"data_format '{format.Layout}' is a preference layout, and SFT data is read here; " +
                $"expected auto or one of {string.Join(", ", SftLayouts.Names)}");
        var records = new SampleRecord(format);
        var (samples, skipped) = DataFileRecords.Read(path, skipBad, format.MaxRecordBytes, records.Read, s => s.Id, "sample");
        return new SftDataSet(path, samples, skipped, records.Layout ?? "");
    }
}
