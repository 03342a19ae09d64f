using System.Collections;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Meta;
using Parquet.Serialization;

namespace PoFT.Shared.Data;

/// <summary>The rows of a Parquet data file as JSON objects (lists, structs and lists of structs as JSON lists
/// and objects), so that they are read by the same record parsers as JSONL lines; each located as <c>file:row N</c>.</summary>
internal static class ParquetRecords
{
    /// <param name="maxRecordBytes">The floor of what the file may declare it holds (<see cref="ParquetPages.Limit"/>).</param>
    public static IEnumerable<(string Location, Func<JsonObject> Read)> Read(string path, long maxRecordBytes)
    {
        // The footer, under its deadline (parsed again below, it is known to end), then what its pages declare.
        ParquetPages.Check(path, Footer(path).Metadata, maxRecordBytes);
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

    /// <summary>
    /// A footer that <see cref="ParquetFooter.Check"/> passes can still send Parquet.Net 6.1.0 past its end — a field
    /// of a type other than the one parquet-format gives it, read as that one — where it spins forever. So the footer
    /// is parsed on a pool thread under this deadline; one that has not finished is refused, and the thread, which
    /// cannot be stopped, spins on until the CLI exits on the refusal. Real footers parse in milliseconds (they
    /// describe row groups and columns, never rows).
    /// </summary>
    private static readonly TimeSpan FooterDeadline = TimeSpan.FromSeconds(5);

    /// <summary>The file's top-level column names, from its footer: every row has these fields, so they tell the
    /// file's kind without reading its rows.</summary>
    public static IReadOnlyList<string> Columns(string path) => Footer(path).Columns;

    private static (IReadOnlyList<string> Columns, FileMetaData Metadata) Footer(string path)
    {
        static async Task<(IReadOnlyList<string>, FileMetaData)> Read(string path)
        {
            await using var stream = File.OpenRead(path);
            await using var reader = await ParquetReader.CreateAsync(stream);
            return ([.. reader.Schema.Fields.Select(f => f.Name)], reader.Metadata!);
        }
        ParquetFooter.Check(path);
        var footer = Task.Run(() => Read(path));
        try
        {
            if (!footer.Wait(FooterDeadline))
                throw new DataFormatException(path, $"not a readable Parquet file: its footer (the file's metadata) did not parse " +
                    $"within {FooterDeadline.TotalSeconds:0} s, so it is malformed");
            return footer.Result;
        }
        catch (AggregateException e) when (e.InnerException is not OutOfMemoryException)
        {
            throw new DataFormatException(path, $"not a readable Parquet file: {e.InnerException!.Message}");
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
