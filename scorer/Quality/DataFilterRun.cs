using System.Globalization;
using System.Text.Json.Nodes;
using PoFT.Shared;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Quality;

/// <summary>
/// <c>filter</c>: the samples of an SFT data file that a <see cref="FilterCriterion"/> keeps by their scores, written as
/// a data file of the same kind (<see cref="DataFileSubset"/>), with a provenance sidecar <c>OUT.filter.json</c> naming
/// the source, the score file (each by SHA-256), the rule and the counts. Refuses an existing output or sidecar, a
/// sample without a score and a score of no sample.
/// </summary>
public static class DataFilterRun
{
    public static string SidecarOf(string outPath) => outPath + ".filter.json";

    /// <returns>How many samples were kept, of how many.</returns>
    public static (int Kept, int Of) Run(string scorePath, string dataPath, string outPath, FilterCriterion criterion, DataFormat? format = null)
    {
        foreach (var path in new[] { outPath, SidecarOf(outPath) })
            if (File.Exists(path))
                throw new IOException($"{path} exists: filter never replaces a file; choose another --out");
        if (PreferenceDataSet.IsPreferenceFile(dataPath, format))
            throw new ArgumentException($"{dataPath}: filter takes SFT data; a preference pair's two completions are scored apart, and which to keep of a pair is not a filter's call");
        var samples = SftDataSet.Read(dataPath, skipBad: false, format).Samples;
        var ordered = InDataOrder(ScoreFile.Read(scorePath), samples, scorePath, dataPath);
        var keep = criterion.Keep(ordered);
        DataFileSubset.Write(dataPath, outPath, keep, (format ?? DataFormat.Default).MaxRecordBytes);
        var provenance = new JsonObject
        {
            ["data"] = Path.GetFullPath(dataPath),
            ["data_sha256"] = FileHash.Sha256(dataPath),
            ["scores"] = Path.GetFullPath(scorePath),
            ["scores_sha256"] = FileHash.Sha256(scorePath),
            ["filter"] = criterion.ToString(),
            ["kept"] = keep.Count,
            ["of"] = samples.Count,
            ["written"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteAllText(SidecarOf(outPath), provenance.ToJsonString(new() { WriteIndented = true }) + "\n", overwrite: false);
        return (keep.Count, samples.Count);
    }

    /// <summary>One record per sample, in the data's order.</summary>
    private static List<ScoreRecord> InDataOrder(IReadOnlyList<ScoreRecord> records, IReadOnlyList<SftSample> samples, string scorePath, string dataPath)
    {
        var byId = records.ToDictionary(r => r.Id);
        var missing = samples.Where(s => !byId.ContainsKey(s.Id)).Select(s => s.Id).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{scorePath}: no score for {missing.Count} of the {samples.Count} samples of {dataPath} (first: '{missing[0]}'); " +
                "score the whole file (merge-scores for shards)");
        if (records.Count != samples.Count)
        {
            var ids = samples.Select(s => s.Id).ToHashSet();
            throw new InvalidDataException($"{scorePath}: record '{records.First(r => !ids.Contains(r.Id)).Id}' is no sample of {dataPath}; filter with the data that was scored");
        }
        return [.. samples.Select(s => byId[s.Id])];
    }
}
