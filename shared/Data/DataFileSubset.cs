using Parquet.Serialization;

namespace PoFT.Shared.Data;

/// <summary>
/// Some records of a data file written as a data file of the same kind, in source order: a JSONL file's kept lines
/// and a JSON array's kept elements byte for byte as the source holds them (a JSONL line ends in <c>\n</c>; the array
/// is rewritten around its elements, one per line), a Parquet file's kept rows with its schema (Parquet.Net's untyped
/// rows: values as read, the file's encoding and row groups are the writer's). Records are counted as the readers
/// count them (<see cref="DataFileRecords.Of"/>): the i-th record is the i-th sample of a file read without --skip-bad.
/// </summary>
public static class DataFileSubset
{
    /// <param name="keep">0-based indexes of the records to keep.</param>
    /// <exception cref="IOException"><paramref name="outPath"/> exists (checked again when the content is ready).</exception>
    public static void Write(string sourcePath, string outPath, IReadOnlySet<int> keep, long maxRecordBytes)
    {
        if (File.Exists(outPath))
            throw new IOException($"{outPath} exists: filter never replaces a file; choose another --out");
        var kind = Path.GetExtension(sourcePath).ToLowerInvariant();
        if (Path.GetExtension(outPath).ToLowerInvariant() != kind)
            throw new ArgumentException($"{outPath}: the kept records are written in the layout of {sourcePath}, so --out must end in '{kind}' as it does");
        if (DataFileRecords.IsParquet(sourcePath))
            WriteParquet(sourcePath, outPath, keep);
        else
            AtomicFile.Write(outPath, stream =>
            {
                var json = kind == ".json";
                var kept = (json
                        ? JsonArrayRecords.Elements(sourcePath, maxRecordBytes).Select(e => (e.Location, (byte[]?)e.Bytes, (long)e.Bytes.Length))
                        : JsonLinesRecords.Records(sourcePath, maxRecordBytes))
                    .Where((_, i) => keep.Contains(i));
                if (json)
                    stream.Write("[\n"u8);
                var first = true;
                foreach (var (location, record, length) in kept)
                {
                    var bytes = record ?? throw JsonLinesRecords.TooLong(location, length, maxRecordBytes);
                    if (json && !first)
                        stream.Write(",\n"u8);
                    stream.Write(bytes);
                    if (!json)
                        stream.Write("\n"u8);
                    first = false;
                }
                if (json)
                    stream.Write("\n]\n"u8);
            }, overwrite: false);
    }

    private static void WriteParquet(string sourcePath, string outPath, IReadOnlySet<int> keep)
    {
        using var source = File.OpenRead(sourcePath);
        var rows = ParquetSerializer.DeserializeUntypedAsync(source).GetAwaiter().GetResult();
        var kept = rows.Data.Where((_, i) => keep.Contains(i)).Select(r => (IDictionary<string, object?>)r!).ToList();
        AtomicFile.Write(outPath, stream => ParquetSerializer.SerializeUntypedAsync(kept, rows.Schema, stream).GetAwaiter().GetResult(), overwrite: false);
    }
}
