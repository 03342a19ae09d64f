using PoFT.Shared;
using System.Buffers.Binary;
using System.Text.Json;

namespace PoFT.Checkpoints;

/// <summary>A tensor to write: its row-major bytes in <paramref name="DType"/>.</summary>
public sealed record TensorData(string Name, SafetensorsDType DType, long[] Shape, ReadOnlyMemory<byte> Bytes);

public static class SafetensorsWriter
{
    /// <summary>Writes one safetensors file atomically (temp file, then rename). The header is padded with
    /// spaces to 8 bytes so that the data section is aligned, as the reference writer does.</summary>
    public static void Write(string path, IReadOnlyList<TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata)
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                var expected = checked(TensorShape.ElementCount(t.Shape) * t.DType.Size());
                if (t.Bytes.Length != expected)
                    throw new ArgumentException($"tensor '{t.Name}': {t.Bytes.Length} bytes for shape [{string.Join(", ", t.Shape)}] of {t.DType} (expected {expected})");
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType.ToString());
                json.WriteStartArray("shape");
                foreach (var d in t.Shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + t.Bytes.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += t.Bytes.Length;
            }
            json.WriteEndObject();
        }
        while (header.Length % 8 != 0)
            header.WriteByte((byte)' ');

        AtomicFile.Write(path, stream =>
        {
            Span<byte> size = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)header.Length);
            stream.Write(size);
            header.Position = 0;
            header.CopyTo(stream);
            foreach (var t in tensors)
                stream.Write(t.Bytes.Span);
        });
    }
}
