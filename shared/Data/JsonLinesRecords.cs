using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>
/// The records of a JSONL file, one per non-blank line, each parsed only when read so that a bad one is
/// reported (or skipped) with its own <c>file:line</c>. A line must be valid UTF-8 and a JSON object
/// without repeated keys: a lenient reader would replace broken bytes with U+FFFD, or keep one of two
/// <c>"prompt"</c>s, and the sample would be scored as text nobody wrote.
/// </summary>
internal static class JsonLinesRecords
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    public static IEnumerable<(string Location, Func<JsonObject> Read)> Read(string path)
    {
        var number = 0;
        foreach (var line in Lines(path))
        {
            number++;
            var bytes = number == 1 && line.AsSpan().StartsWith(ByteOrderMark) ? line[ByteOrderMark.Length..] : line;
            if (bytes.AsSpan().IndexOfAnyExcept(" \t\r\f\v"u8) < 0)
                continue;
            var location = $"{path}:{number}";
            yield return (location, () => Parse(bytes, location));
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

    /// <summary>The file's lines as bytes, without their <c>\n</c> or <c>\r\n</c>, read in chunks.</summary>
    private static IEnumerable<byte[]> Lines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, read - start)) >= 0)
            {
                pending.Write(buffer, start, newline - start);
                yield return Take(pending);
                start = newline + 1;
            }
            pending.Write(buffer, start, read - start);
        }
        if (pending.Length > 0)
            yield return Take(pending);
    }

    private static byte[] Take(MemoryStream pending)
    {
        var line = pending.ToArray();
        pending.SetLength(0);
        return line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
    }
}
