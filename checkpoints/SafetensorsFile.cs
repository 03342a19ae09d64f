using PoFT.Shared;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace PoFT.Checkpoints;

/// <param name="Begin">Offset of the first byte relative to the start of the data section.</param>
public sealed record TensorEntry(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => TensorShape.ElementCount(Shape);
}

/// <summary>
/// A safetensors file opened for reading. The header is validated before any offset is trusted: its size is
/// bounded and inside the file, every dtype is known, every shape matches its byte range, every range lies
/// inside the data section, and no two ranges overlap.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafetensorsFile(string path, SafeFileHandle handle, long dataStart,
        IReadOnlyDictionary<string, TensorEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointFormatException(path, "file not found");
        var handle = File.OpenHandle(path);
        try
        {
            var length = RandomAccess.GetLength(handle);
            if (length < 8)
                throw new CheckpointFormatException(path, $"truncated: {length} bytes, a safetensors file starts with an 8-byte header size");
            Span<byte> prefix = stackalloc byte[8];
            RandomAccess.Read(handle, prefix, 0);
            var headerSize = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerSize > MaxHeaderBytes)
                throw new CheckpointFormatException(path, $"header size {headerSize} exceeds the {MaxHeaderBytes}-byte limit");
            if (8 + (long)headerSize > length)
                throw new CheckpointFormatException(path, $"truncated: header of {headerSize} bytes but the file has {length}");
            var header = new byte[headerSize];
            RandomAccess.Read(handle, header, 8);
            var dataStart = 8 + (long)headerSize;
            var (tensors, metadata) = ParseHeader(path, header, length - dataStart);
            return new SafetensorsFile(path, handle, dataStart, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public TensorEntry this[string name] => Tensors.TryGetValue(name, out var e) ? e
        : throw new CheckpointFormatException(Path, $"no tensor '{name}'");

    public byte[] ReadBytes(TensorEntry entry)
    {
        var bytes = new byte[entry.End - entry.Begin];
        RandomAccess.Read(_handle, bytes, _dataStart + entry.Begin);
        return bytes;
    }

    /// <summary>The tensor's values as fp32 (from F32, BF16 or F16), row-major. Read in slices straight into
    /// the result: no byte copy of the whole tensor, which for a large fp32 one (a 7B model's embedding) would
    /// not fit one .NET array at all.</summary>
    public float[] ReadFloat32(TensorEntry entry)
    {
        var elementSize = entry.DType switch
        {
            SafetensorsDType.F32 => 4,
            SafetensorsDType.BF16 or SafetensorsDType.F16 => 2,
            _ => throw new CheckpointFormatException(Path, $"tensor '{entry.Name}' has dtype {entry.DType}; expected F32, BF16 or F16"),
        };
        var values = new float[(entry.End - entry.Begin) / elementSize];
        var buffer = elementSize == 4 ? null : new byte[Math.Min(SliceElements, values.Length) * 2];
        for (long start = 0; start < values.Length; start += SliceElements)
        {
            var count = (int)Math.Min(SliceElements, values.Length - start);
            var target = values.AsSpan((int)start, count);
            var raw = buffer is null ? MemoryMarshal.AsBytes(target) : buffer.AsSpan(0, count * 2);
            ReadExactly(entry, raw, _dataStart + entry.Begin + start * elementSize);
            if (buffer is null)
                continue;
            var halves = MemoryMarshal.Cast<byte, ushort>(raw);
            if (entry.DType == SafetensorsDType.BF16)
                for (var i = 0; i < count; i++)
                    target[i] = BitConverter.Int32BitsToSingle(halves[i] << 16);
            else
                for (var i = 0; i < count; i++)
                    target[i] = (float)BitConverter.UInt16BitsToHalf(halves[i]);
        }
        return values;
    }

    private void ReadExactly(TensorEntry entry, Span<byte> target, long offset)
    {
        for (var done = 0; done < target.Length;)
        {
            var read = RandomAccess.Read(_handle, target[done..], offset + done);
            if (read == 0)
                throw new CheckpointFormatException(Path, $"tensor '{entry.Name}': the file ends inside its data");
            done += read;
        }
    }

    // 64 Mi elements a read: large enough that reads stay sequential, small enough for one span.
    private const int SliceElements = 1 << 26;

    public void Dispose() => _handle.Dispose();

    private static (Dictionary<string, TensorEntry>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try { doc = StrictJson.ParseDocument(header); }
        catch (JsonException e) { throw new CheckpointFormatException(path, $"header is not valid JSON: {e.Message}"); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, "header is not a JSON object");
        var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                ReadMetadata(path, property.Value, metadata);
                continue;
            }
            tensors[property.Name] = ParseEntry(path, property.Name, property.Value, dataLength);
        }
        TensorEntry? previous = null;
        foreach (var entry in tensors.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (previous is not null && entry.Begin < previous.End)
                throw new CheckpointFormatException(path, $"tensors '{previous.Name}' [{previous.Begin}, {previous.End}) and '{entry.Name}' [{entry.Begin}, {entry.End}) overlap");
            previous = entry;
        }
        return (tensors, metadata);
    }

    // The format defines __metadata__ as a map of strings to strings; anything else is not a safetensors file.
    private static void ReadMetadata(string path, JsonElement block, Dictionary<string, string> metadata)
    {
        if (block.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"__metadata__ must be an object of string values, found {block.ValueKind}");
        foreach (var m in block.EnumerateObject())
        {
            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()!
                : throw new CheckpointFormatException(path, $"__metadata__['{m.Name}'] must be a string, found {m.Value.GetRawText()}");
        }
    }

    private static TensorEntry ParseEntry(string path, string name, JsonElement e, long dataLength)
    {
        CheckpointFormatException Bad(string reason) => new(path, $"tensor '{name}': {reason}");
        if (e.ValueKind != JsonValueKind.Object)
            throw Bad("expected an object with dtype, shape and data_offsets");
        if (!e.TryGetProperty("dtype", out var d) || d.ValueKind != JsonValueKind.String || !SafetensorsDTypes.TryParse(d.GetString()!, out var dtype))
            throw Bad($"unknown dtype {(e.TryGetProperty("dtype", out var raw) ? raw.GetRawText() : "(missing)")}; known: {string.Join(", ", Enum.GetNames<SafetensorsDType>())}");
        if (!e.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array)
            throw Bad("missing shape");
        var shape = s.EnumerateArray().Select(x => x.TryGetInt64(out var v) && v >= 0 ? v : throw Bad($"shape entry {x.GetRawText()} is not a non-negative integer")).ToArray();
        if (!e.TryGetProperty("data_offsets", out var o) || o.ValueKind != JsonValueKind.Array || o.GetArrayLength() != 2)
            throw Bad("data_offsets must be [begin, end]");
        var offsets = o.EnumerateArray().Select(x => x.TryGetInt64(out var v) && v >= 0 ? v : throw Bad($"data offset {x.GetRawText()} is not a non-negative integer")).ToArray();
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end || end > dataLength)
            throw Bad($"data_offsets [{begin}, {end}) out of range of the {dataLength}-byte data section");
        var entry = new TensorEntry(name, dtype, shape, begin, end);
        long expected;
        try { expected = checked(entry.ElementCount * dtype.Size()); }
        catch (OverflowException) { throw Bad($"shape [{string.Join(", ", shape)}] of {dtype} overflows: its byte size does not fit in 64 bits"); }
        if (end - begin != expected)
            throw Bad($"shape [{string.Join(", ", shape)}] of {dtype} needs {expected} bytes, data_offsets span {end - begin}");
        return entry;
    }
}
