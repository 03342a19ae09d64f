namespace PoFT.Shared.Data;

/// <summary>What <c>score</c>, <c>inspect</c> and <c>merge-scores</c> read of a data file: an SFT file's samples, or
/// a preference file's pairs as their chosen and rejected samples (<see cref="PreferenceDataSet.AsSamples"/>).</summary>
public static class SampleData
{
    public static SftDataSet Read(string path, bool skipBad = false, DataFormat? format = null) =>
        PreferenceDataSet.IsPreferenceFile(path, format) ? PreferenceDataSet.Read(path, skipBad, format).AsSamples() : SftDataSet.Read(path, skipBad, format);
}
