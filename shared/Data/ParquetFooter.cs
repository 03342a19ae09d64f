using System.Buffers.Binary;

namespace PoFT.Shared.Data;

/// <summary>
/// Checks that a Parquet file's footer is whole before Parquet.Net parses it: the file ends with the footer's length
/// and <c>PAR1</c>, and the footer is one Thrift compact-protocol struct (parquet-format's FileMetaData) that ends
/// inside it — each field header, varint, string, list, map and nested struct read within its bytes, nesting
/// bounded. Parquet.Net 6.1.0 takes a read past the footer's end for the byte 0xFF and spins forever on it (a varint
/// that never ends, a struct that never stops; found by fuzzing, scripts/fuzz.sh data), so a footer cut short or
/// garbled is refused here with the offset where it breaks. Wire format: the Thrift compact protocol specification
/// (thrift/doc/specs/thrift-compact-protocol.md): field header = delta (high nibble) + type (low nibble), zigzag
/// varints, lists with the size in the high nibble or a varint after 0xF.
/// </summary>
internal static class ParquetFooter
{
    private const int MaxNesting = 64;
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <exception cref="DataFormatException">The footer is missing, cut short or not one well-formed struct.</exception>
    public static void Check(string path)
    {
        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);
        Span<byte> tail = stackalloc byte[8];
        if (length < 12 || RandomAccess.Read(file, tail, length - 8) != 8 || !tail[4..].SequenceEqual(Magic))
            throw Bad(path, "it does not end with a footer length and 'PAR1'");
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > length - 12)
            throw Bad(path, $"its footer length {footerLength} does not fit in the file's {length} bytes");
        var footer = new byte[footerLength];
        RandomAccess.Read(file, footer, length - 8 - footerLength);
        var reader = new Walker(footer);
        if (!reader.Struct(0))
            throw Bad(path, $"its footer (the file's metadata, {footerLength} bytes) is cut short or garbled at byte {reader.Position}");
    }

    private static DataFormatException Bad(string path, string why) => new(path, $"not a readable Parquet file: {why}");

    /// <summary>Walks compact-protocol values without building them; false at the first one that does not fit.</summary>
    private ref struct Walker(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        public int Position { get; private set; }

        private readonly int Left => _bytes.Length - Position;

        public bool Struct(int depth)
        {
            if (depth > MaxNesting)
                return false;
            while (true)
            {
                if (!Byte(out var header))
                    return false;
                if (header == 0)
                    return true; // stop
                if (header >> 4 == 0 && !Varint(out _))
                    return false; // a long-form field id
                if (!Value(header & 0x0F, depth))
                    return false;
            }
        }

        private bool Value(int type, int depth) => type switch
        {
            1 or 2 => true, // a bool field: the value is in the type
            3 => Skip(1),
            4 or 5 or 6 => Varint(out _),
            7 => Skip(8),
            8 => Varint(out var size) && size <= (ulong)Left && Skip((int)size),
            9 or 10 => List(depth),
            11 => Map(depth),
            12 => Struct(depth + 1),
            _ => false,
        };

        private bool List(int depth)
        {
            if (!Byte(out var header))
                return false;
            ulong count = (ulong)(header >> 4);
            if (count == 15 && !Varint(out count))
                return false;
            // Every element takes at least one byte (a bool element too, unlike a bool field).
            if (count > (ulong)Left)
                return false;
            var type = header & 0x0F;
            for (ulong i = 0; i < count; i++)
                if (!(type is 1 or 2 ? Skip(1) : Value(type, depth)))
                    return false;
            return true;
        }

        private bool Map(int depth)
        {
            if (!Varint(out var count))
                return false;
            if (count == 0)
                return true;
            if (count > (ulong)Left || !Byte(out var types))
                return false;
            for (ulong i = 0; i < count; i++)
                if (!Value(types >> 4, depth) || !Value(types & 0x0F, depth))
                    return false;
            return true;
        }

        private bool Varint(out ulong value)
        {
            value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (!Byte(out var b))
                    return false;
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return true;
            }
            return false;
        }

        private bool Byte(out byte value)
        {
            value = Left > 0 ? _bytes[Position] : (byte)0;
            return Skip(1);
        }

        private bool Skip(int count)
        {
            if (count > Left)
                return false;
            Position += count;
            return true;
        }
    }
}
