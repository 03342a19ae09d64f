using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>
/// The records of a <c>.json</c> file holding one JSON array of objects (as Alpaca's and Dolly's releases are
/// published), streamed: a <see cref="Utf8JsonReader"/> walks the array over a buffer refilled from the file, so
/// memory holds one element (and the buffer, grown to the largest element), never the file. Each element is parsed
/// as a JSONL line is (<see cref="JsonLinesRecords"/>: strict UTF-8, no repeated keys), located as
/// <c>file:line L (record N)</c>, L the line the element starts on. A file that is not one array, or is malformed
/// between elements, stops the read at its line: no element after it can be found. So does an element above the record
/// limit (<see cref="DataFormat.MaxRecordMb"/>), found when its unread bytes pass the limit: memory holds at most about
/// twice the limit.
/// </summary>
internal static class JsonArrayRecords
{
    private const int InitialBuffer = 1 << 16;
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    public static IEnumerable<(string Location, Func<JsonObject> Read)> Read(string path, long maxRecordBytes) =>
        Elements(path, maxRecordBytes).Select(e => (e.Location, (Func<JsonObject>)(() => JsonLinesRecords.Parse(e.Bytes, e.Location))));

    /// <summary>Each element of the array as the bytes the file holds, unparsed (<see cref="DataFileSubset"/> copies them);
    /// an element above <paramref name="maxRecordBytes"/> stops the read.</summary>
    public static IEnumerable<(string Location, byte[] Bytes)> Elements(string path, long maxRecordBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[InitialBuffer];
        var (length, start, line, index) = (0, 0, 1, 0);
        var ended = false;
        var state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var (opened, begun) = (false, false);
        while (true)
        {
            if (!opened && ended && buffer.AsSpan(start, length - start).IndexOfAnyExcept(" \t\r\n"u8) < 0)
                throw new DataFormatException(path, "no JSON array: expected a JSON array of records ('[' … ']')");
            var (token, isElement, tokenStart, consumed, complete, newState) = Next(buffer.AsSpan(start, length - start), ended, state, path, line);
            if (!complete)
            {
                if (ended)
                    throw new DataFormatException(opened ? $"{path}:{line}" : path, opened
                        ? "the JSON array is not closed: the file ends inside it"
                        : "no JSON array: expected a JSON array of records ('[' … ']')");
                // An element above the limit stops the read here, before the buffer grows past it: no later element
                // can be found without reading this one's bytes through.
                if (opened && length - start > maxRecordBytes)
                    throw JsonLinesRecords.TooLong($"{path}:{line + Count(buffer.AsSpan(start, LeadingSeparators(buffer.AsSpan(start, length - start))), (byte)'\n')} (record {index + 1})",
                        length - start, maxRecordBytes, inArray: true);
                (buffer, start, length) = Refill(stream, buffer, start, length, out ended);
                if (!begun && (begun = length >= ByteOrderMark.Length || ended) && buffer.AsSpan(0, length).StartsWith(ByteOrderMark))
                    start = ByteOrderMark.Length;
                continue;
            }
            var elementLine = line + Count(buffer.AsSpan(start, tokenStart), (byte)'\n');
            var element = buffer.AsSpan(start + tokenStart, consumed - tokenStart).ToArray();
            line += Count(buffer.AsSpan(start, consumed), (byte)'\n');
            start += consumed;
            state = newState;
            if (!opened)
            {
                if (token != JsonTokenType.StartArray)
                    throw new DataFormatException($"{path}:{elementLine}", "expected a JSON array of records ('[' … ']'); a file of one object per line is .jsonl");
                opened = true;
                continue;
            }
            if (!isElement)
                break; // the closing bracket of the array
            index++;
            var location = $"{path}:{elementLine} (record {index})";
            yield return (location, element);
        }
        RequireNothingAfter(stream, buffer.AsSpan(start, length - start), path, line);
    }

    /// <summary>The next token of the file, an element of the array read whole: whether it is an element (depth 1), where
    /// it starts, the bytes through its end, and the reader state after it; not complete where the buffer ends inside it.</summary>
    private static (JsonTokenType Token, bool IsElement, int Start, int Consumed, bool Complete, JsonReaderState State) Next(ReadOnlySpan<byte> data,
        bool final, JsonReaderState state, string path, int line)
    {
        var reader = new Utf8JsonReader(data, final, state);
        try
        {
            if (!reader.Read())
                return default;
            var (token, tokenStart, isElement) = (reader.TokenType, (int)reader.TokenStartIndex, reader.CurrentDepth >= 1);
            if (isElement && token is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                return default;
            return (token, isElement, tokenStart, (int)reader.BytesConsumed, true, reader.CurrentState);
        }
        catch (JsonException e)
        {
            // The reader's state carries its position across refills: its line number is the file's, from 0.
            throw new DataFormatException($"{path}:{(e.LineNumber ?? line - 1) + 1}", $"malformed JSON array: {e.Message}");
        }
    }

    /// <summary>Moves the unread bytes to the buffer's start, doubling it when they fill it, and reads more after them.</summary>
    private static (byte[] Buffer, int Start, int Length) Refill(Stream stream, byte[] buffer, int start, int length, out bool ended)
    {
        var pending = length - start;
        var target = pending > buffer.Length / 2 ? new byte[buffer.Length * 2] : buffer;
        Buffer.BlockCopy(buffer, start, target, 0, pending);
        var read = stream.Read(target, pending, target.Length - pending);
        ended = read == 0;
        return (target, 0, pending + read);
    }

    private static void RequireNothingAfter(Stream stream, ReadOnlySpan<byte> rest, string path, int line)
    {
        var tail = new byte[4096];
        for (var read = rest.Length; read > 0; read = stream.Read(tail))
        {
            var span = rest.Length > 0 ? rest : tail.AsSpan(0, read);
            if (span.IndexOfAnyExcept(" \t\r\n"u8) is var at and >= 0)
                throw new DataFormatException($"{path}:{line + Count(span[..at], (byte)'\n')}", "text after the closing ']' of the JSON array");
            line += Count(span, (byte)'\n');
            rest = [];
        }
    }

    /// <summary>How many bytes of whitespace and commas precede the next element.</summary>
    private static int LeadingSeparators(ReadOnlySpan<byte> span) => span.IndexOfAnyExcept(" \t\r\n,"u8) is var at and >= 0 ? at : span.Length;

    private static int Count(ReadOnlySpan<byte> span, byte value) => span.Count(value);
}
