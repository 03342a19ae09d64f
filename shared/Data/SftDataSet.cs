namespace PoFT.Shared.Data;

/// <summary>
/// The samples of one SFT data file (<c>.jsonl</c> or <c>.parquet</c>, same fields), in file order. A bad
/// record stops the read with its location and reason, unless <c>skipBad</c>, which skips and lists it.
/// Sample ids must be unique within the file, and a file must hold at least one sample.
/// </summary>
public sealed record SftDataSet(string Path, IReadOnlyList<SftSample> Samples, IReadOnlyList<SkippedRecord> Skipped)
{
    public static SftDataSet Read(string path, bool skipBad = false)
    {
        var (samples, skipped) = DataFileRecords.Read(path, skipBad, SampleRecord.Parse, s => s.Id, "sample");
        return new SftDataSet(path, samples, skipped);
    }
}
