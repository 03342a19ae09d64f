using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>
/// The records of a JSONL file, one per non-blank line, each parsed only when read so that a bad one is
/// reported (or skipped) with its own <c>file:line</c>. A line must be valid UTF-8 and a JSON object
/// without repeated keys: a lenient reader would replace broken bytes with U+FFFD, or keep one of two
/// <c>"prompt"</c>s, and the sample would be scored as text nobody wrote. A line longer than the record limit
/// (<see cref="DataFormat.MaxRecordMb"/>) is a bad record found as its bytes stream past: they are counted, not kept,
/// so a 64 MB line costs no more memory than the limit.
/// </summary>
internal static class JsonLinesRecords
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    public static IEnumerable<(string Location, Func<JsonObject> Read)> Read(string path, long maxRecordBytes) =>
        Records(path, maxRecordBytes).Select(r => (r.Location, r.Bytes is { } bytes
            ? (Func<JsonObject>)(() => Parse(bytes, r.Location))
            : () => throw TooLong(r.Location, r.Length, maxRecordBytes)));

    /// <summary>Each record's line as the file holds it (less a leading byte-order mark and the line end), unparsed, with
    /// its length; a line above <paramref name="maxRecordBytes"/> without its bytes (null). Blank lines are no records
    /// (<see cref="DataFileSubset"/> copies them).</summary>
    public static IEnumerable<(string Location, byte[]? Bytes, long Length)> Records(string path, long maxRecordBytes)
    {
        var number = 0;
        foreach (var (line, length) in Lines(path, maxRecordBytes))
        {
            number++;
            if (line is null)
            {
                var at = $"{path}:{number}";
                yield return (at, null, length);
                continue;
            }
            var bytes = number == 1 && line.AsSpan().StartsWith(ByteOrderMark) ? line[ByteOrderMark.Length..] : line;
            if (bytes.AsSpan().IndexOfAnyExcept(" \t\r\f\v"u8) < 0)
                continue;
            yield return ($"{path}:{number}", bytes, bytes.Length);
        }
    }

    /// <summary>One record's bytes as a JSON object: strict UTF-8, no repeated keys.</summary>
    internal static JsonObject Parse(byte[] line, string location)
    {
        string text;
        try { text = StrictUtf8.GetString(line); }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(location, $"invalid UTF-8 at byte {e.Index + 1} of the line");
        }
        try
        {
            return StrictJson.ParseNode(text) as JsonObject ?? throw new DataFormatException(location, "expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(location, $"malformed JSON: {e.Message}");
        }
    }

    /// <summary>A record over the limit: its size (at least, where its end was not read) and the setting that allows it.</summary>
    /// <param name="inArray">A .json array's element, whose size is known only to exceed the limit and which no
    /// <c>--skip-bad</c> can step over.</param>
    internal static DataFormatException TooLong(string location, long length, long maxRecordBytes, bool inArray = false) =>
        new(location, $"a record of {(inArray ? "over " : "")}{length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes, above the limit of " +
            $"{maxRecordBytes >> 20} MiB; raise max_record_mb (--max-record-mb) if it is meant" +
            (inArray ? " (in a .json array it stops the read: convert the file to .jsonl to skip it)" : ", or pass --skip-bad to skip it"));

    /// <summary>The file's lines as bytes, without their <c>\n</c> or <c>\r\n</c>, read in chunks, with their length;
    /// a line longer than <paramref name="maxRecordBytes"/> as null, its bytes counted to its end but not kept.</summary>
    private static IEnumerable<(byte[]? Line, long Length)> Lines(string path, long maxRecordBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream();
        long length = 0;
        var over = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, read - start)) >= 0)
            {
                Append(start, newline - start);
                yield return Emit();
                start = newline + 1;
            }
            Append(start, read - start);
        }
        if (length > 0)
            yield return Emit();

        void Append(int start, int count)
        {
            length += count;
            if (!over && length > maxRecordBytes)
            {
                over = true;
                pending.SetLength(0);
                pending.Capacity = 0;
            }
            if (!over)
                pending.Write(buffer, start, count);
        }

        (byte[]? Line, long Length) Emit()
        {
            var line = (over ? null : Take(pending), length);
            (length, over) = (0, false);
            return line;
        }
    }

    private static byte[] Take(MemoryStream pending)
    {
        var line = pending.ToArray();
        pending.SetLength(0);
        return line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
    }
}
