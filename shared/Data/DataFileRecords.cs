using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>A record that was skipped under <c>--skip-bad</c>, and why.</summary>
public sealed record SkippedRecord(string Location, string Reason);

/// <summary>
/// The records of one data file (<c>.jsonl</c>, <c>.json</c> — one JSON array — or <c>.parquet</c>, the same fields), in file order, and their
/// reading into items of one kind — samples or preference pairs: a bad record stops the read with its location
/// and reason unless <c>skipBad</c>, which skips and lists it; ids must be unique within the file, and a file
/// must hold at least one item.
/// </summary>
internal static class DataFileRecords
{
    /// <summary>Each record with its location, parsed only when read so a bad one is reported (or skipped) on its own.</summary>
    /// <param name="maxRecordBytes">A JSONL line or JSON array element longer than this is a bad record (<see cref="DataFormat.MaxRecordMb"/>);
    /// the least a Parquet file may declare it holds (<see cref="ParquetPages.Limit"/>).</param>
    public static IEnumerable<(string Location, Func<JsonObject> Read)> Of(string path, long maxRecordBytes)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: data file not found", path);
        return IsParquet(path) ? ParquetRecords.Read(path, maxRecordBytes)
            : Extension(path) == ".jsonl" ? JsonLinesRecords.Read(path, maxRecordBytes)
            : Extension(path) == ".json" ? JsonArrayRecords.Read(path, maxRecordBytes)
            : throw new DataFormatException(path, $"unsupported extension '{Extension(path)}'; expected .jsonl (one record per line), " +
                ".json (one JSON array of records) or .parquet");
    }

    public static bool IsParquet(string path) => Extension(path) == ".parquet";

    /// <param name="parse">A record and its location to an item; throws <see cref="DataFormatException"/>.</param>
    /// <param name="noun">What an item is, in messages: "sample", "pair".</param>
    public static (List<T> Items, List<SkippedRecord> Skipped) Read<T>(string path, bool skipBad, long maxRecordBytes, Func<JsonObject, string, T> parse, Func<T, string> id, string noun)
    {
        var items = new List<T>();
        var skipped = new List<SkippedRecord>();
        var firstSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (location, read) in Of(path, maxRecordBytes))
        {
            try
            {
                var item = parse(read(), location);
                if (!firstSeen.TryAdd(id(item), location))
                    throw new DataFormatException(location, $"duplicate {noun} id '{id(item)}' (first at {firstSeen[id(item)]})");
                items.Add(item);
            }
            catch (DataFormatException e) when (skipBad)
            {
                skipped.Add(new SkippedRecord(e.Location, e.Reason));
            }
        }
        // A data set with nothing in it is a wrong path or a failed export, never an intended run: scoring
        // or training on it would "succeed" with no output worth having.
        if (items.Count == 0)
            throw new DataFormatException(path, skipped.Count == 0
                ? $"no {noun}s: the file holds no records"
                : $"no {noun}s: all {skipped.Count} bad records were skipped (first: {skipped[0].Location}: {skipped[0].Reason})");
        return (items, skipped);
    }

    private static string Extension(string path) => Path.GetExtension(path).ToLowerInvariant();
}
