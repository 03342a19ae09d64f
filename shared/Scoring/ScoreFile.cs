using System.Buffers;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace PoFT.Shared.Scoring;

/// <summary>
/// A score file: a stream of <see cref="ScoreRecord"/>s, as consecutive MessagePack maps (<c>.msgpack</c>)
/// or JSON lines (<c>.jsonl</c>). Records are appended as they are scored, so a run that stops leaves a
/// usable prefix; <see cref="ReadValidPrefix"/> finds where a cut-off last record begins.
/// </summary>
public static class ScoreFile
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static bool IsMessagePack(string path) => Format(path) == ".msgpack";

    /// <summary>All complete records, and the byte length they span (a torn last record is left out).</summary>
    public static (List<ScoreRecord> Records, long ValidLength) ReadValidPrefix(string path)
    {
        Format(path);
        if (!File.Exists(path))
            return ([], 0);
        using var stream = File.OpenRead(path);
        return IsMessagePack(path) ? ReadMessagePack(stream, path) : ReadJsonLines(stream, path);
    }

    public static IReadOnlyList<ScoreRecord> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: score file not found", path);
        var (records, valid) = ReadValidPrefix(path);
        if (valid != new FileInfo(path).Length)
            throw new InvalidDataException($"{path}: the last record is cut off at byte {valid}; finish it with `score --resume`");
        return records;
    }

    public static byte[] Encode(ScoreRecord record, bool messagePack) => messagePack
        ? MessagePackSerializer.Serialize(record)
        : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n");

    private static string Format(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".msgpack" => ".msgpack",
        ".jsonl" => ".jsonl",
        var other => throw new ArgumentException($"{path}: score files are .msgpack or .jsonl, not '{other}'"),
    };

    /// <summary>Refuses a record whose numbers are not finite: MessagePack can carry a NaN (JSON cannot), and
    /// read back as a reference score it would poison every loss it enters. Refuses a missing or null id, models
    /// list, model or name too, and a null record: the deserializers leave those null (found by fuzzing: scripts/fuzz.sh score).</summary>
    private static ScoreRecord Finite(ScoreRecord? record, string where)
    {
        if (record is null)
            throw new InvalidDataException($"{where}: a null, not a score record");
        if (record.Id is null || record.Models is null)
            throw new InvalidDataException($"{where}: field '{(record.Id is null ? "id" : "models")}' is missing or null");
        for (var j = 0; j < record.Models.Count; j++)
            if (record.Models[j]?.Name is null)
                throw new InvalidDataException($"{where}: record '{record.Id}': field 'models[{j}]{(record.Models[j] is null ? "" : ".name")}' is missing or null");
        if (!double.IsFinite(record.Reference))
            throw new InvalidDataException($"{where}: record '{record.Id}': field 'reference' is {record.Reference}, not a finite number");
        foreach (var model in record.Models)
            if (!double.IsFinite(model.Sum) || !double.IsFinite(model.Mean))
                throw new InvalidDataException($"{where}: record '{record.Id}': model '{model.Name}': field '{(double.IsFinite(model.Sum) ? "mean" : "sum")}' " +
                    $"is {(double.IsFinite(model.Sum) ? model.Mean : model.Sum)}, not a finite number");
            else if ((model.ResponseOnlySum is null) != (model.Ifd is null) || (model.ResponseOnlyCount is null) != (model.Ifd is null))
                throw new InvalidDataException($"{where}: record '{record.Id}': model '{model.Name}': fields 'response_only_sum', 'response_only_count' " +
                    "and 'ifd' come together (IFD) or not at all");
            else if (model.Ifd is { } ifd && !(double.IsFinite(ifd) && double.IsFinite(model.ResponseOnlySum!.Value)))
                throw new InvalidDataException($"{where}: record '{record.Id}': model '{model.Name}': field 'ifd' or 'response_only_sum' is not a finite number");
        return record;
    }

    private static (List<ScoreRecord>, long) ReadMessagePack(Stream stream, string path)
    {
        var records = new List<ScoreRecord>();
        using var reader = new MessagePackStreamReader(stream);
        while (NextMessage(reader, path, records.Count + 1) is { } message)
        {
            ScoreRecord record;
            try { record = MessagePackSerializer.Deserialize<ScoreRecord>(message); }
            catch (MessagePackSerializationException e)
            {
                throw new InvalidDataException($"{path}: record {records.Count + 1} is not a score record: {e.Message}");
            }
            records.Add(Finite(record, $"{path}: record {records.Count + 1}"));
        }
        return (records, stream.Length - reader.RemainingBytes.Length);
    }

    // The stream reader finds where a message ends by walking its codes, and a code MessagePack never uses (0xC1)
    // throws there, before the message is deserialized; so does a string or binary of a 32-bit length with its top
    // bit set, which MessagePack 2 reads as a negative int and skips with ArgumentOutOfRangeException (both found by
    // fuzzing: scripts/fuzz.sh score). No real record comes near 2 GiB.
    private static ReadOnlySequence<byte>? NextMessage(MessagePackStreamReader reader, string path, int record)
    {
        try { return reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult(); }
        catch (MessagePackSerializationException e)
        {
            throw new InvalidDataException($"{path}: record {record} is not a score record: {e.Message}");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{path}: record {record} is not a score record: a length of 2 GiB or more");
        }
    }

    private static (List<ScoreRecord>, long) ReadJsonLines(Stream stream, string path)
    {
        var records = new List<ScoreRecord>();
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        long valid = 0;
        var line = 0;
        while (valid < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', (int)valid);
            if (end < 0)
                break;
            line++;
            ScoreRecord record;
            try
            {
                record = JsonSerializer.Deserialize<ScoreRecord>(bytes.AsSpan((int)valid, end - (int)valid), Json)
                    ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: not a score record: {e.Message}");
            }
            records.Add(Finite(record, $"{path}:{line}"));
            valid = end + 1;
        }
        return (records, valid);
    }
}
