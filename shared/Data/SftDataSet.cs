using System.Collections;
using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace PoFT.Shared.Data;

/// <summary>A record that was skipped under <c>--skip-bad</c>, and why.</summary>
public sealed record SkippedRecord(string Location, string Reason);

/// <summary>
/// The samples of one SFT data file (<c>.jsonl</c> or <c>.parquet</c>, same fields), in file order. A bad
/// record stops the read with its location and reason, unless <c>skipBad</c>, which skips and lists it.
/// Sample ids must be unique within the file, and a file must hold at least one sample.
/// </summary>
public sealed record SftDataSet(string Path, IReadOnlyList<SftSample> Samples, IReadOnlyList<SkippedRecord> Skipped)
{
    public static SftDataSet Read(string path, bool skipBad = false)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: data file not found", path);
        var records = System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" => JsonLinesRecords.Read(path),
            ".parquet" => ParquetRows(path),
            var other => throw new DataFormatException(path, $"unsupported extension '{other}'; expected .jsonl or .parquet"),
        };
        var samples = new List<SftSample>();
        var skipped = new List<SkippedRecord>();
        var firstSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (location, read) in records)
        {
            try
            {
                var sample = SampleRecord.Parse(read(), location);
                if (!firstSeen.TryAdd(sample.Id, location))
                    throw new DataFormatException(location, $"duplicate sample id '{sample.Id}' (first at {firstSeen[sample.Id]})");
                samples.Add(sample);
            }
            catch (DataFormatException e) when (skipBad)
            {
                skipped.Add(new SkippedRecord(e.Location, e.Reason));
            }
        }
        // A data set with nothing in it is a wrong path or a failed export, never an intended run: scoring
        // or training on it would "succeed" with no output worth having.
        if (samples.Count == 0)
            throw new DataFormatException(path, skipped.Count == 0
                ? "no samples: the file holds no records"
                : $"no samples: all {skipped.Count} bad records were skipped (first: {skipped[0].Location}: {skipped[0].Reason})");
        return new SftDataSet(path, samples, skipped);
    }

    private static IEnumerable<(string Location, Func<JsonObject> Read)> ParquetRows(string path)
    {
        IList<Dictionary<string, object>> rows;
        try { rows = ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(path)).GetAwaiter().GetResult().Data; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFormatException(path, $"not a readable Parquet file: {e.Message}");
        }
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            yield return ($"{path}:row {i + 1}", () => (JsonObject)ToJson(row)!);
        }
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<string, object> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, ToJson(p.Value)))),
        string s => JsonValue.Create(s),
        IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToJson)]),
        bool b => JsonValue.Create(b),
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
