namespace PoFT.Shared.Data;

/// <summary>The integer and bool (1 or 0) fields of a walked struct, and its nested structs, by field id (what a caller reads back).</summary>
internal sealed class ThriftRecord
{
    public Dictionary<short, long> Integers { get; } = [];
    public Dictionary<short, ThriftRecord> Structs { get; } = [];

    public long Integer(short id) => Integers.GetValueOrDefault(id);
}

/// <summary>
/// Walks one Thrift compact-protocol struct within its bytes, as Parquet.Net 6.1.0's reader will read it, before that
/// reader sees it: every length, count and nested value must end inside the bytes, and every field the schema knows
/// must have the wire type it declares — Parquet.Net reads a known field by its declared type whatever the wire says
/// (Parquet/Meta/Parquet.cs), so a mismatch makes it misread lengths (and allocate them) or drift out of step. A
/// field the schema does not know is skipped exactly as Parquet.Net's SkipField skips it (Parquet/Meta/Proto/
/// ThriftCompactProtocolReader.cs): a nested struct by its field headers alone, a list element by its type. Wire
/// format: thrift/doc/specs/thrift-compact-protocol.md (field header = id delta in the high nibble + type in the low,
/// zigzag varints, list size in the high nibble or a varint after 0xF).
/// </summary>
internal ref struct ThriftCompactWalker(ReadOnlySpan<byte> bytes)
{
    private const int MaxNesting = 64;
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public int Position { get; private set; }

    private string? _error;

    /// <summary>Why the walk stopped, when it returned false.</summary>
    public readonly string Error => _error ?? "cut short";

    private readonly int Left => _bytes.Length - Position;

    /// <summary>Walks one struct of <paramref name="type"/> from the current position, recording its integers when
    /// <paramref name="record"/> is given; false at the first value that does not fit (<see cref="Error"/>).</summary>
    public bool Struct(ThriftStruct type, ThriftRecord? record, int depth = 0)
    {
        if (depth > MaxNesting)
            return Fail($"nested deeper than {MaxNesting}");
        short lastId = 0;
        while (true)
        {
            var at = Position;
            if (!Byte(out var header))
                return Fail("cut short");
            if (header == 0)
                return true; // stop
            short id;
            if (header >> 4 != 0)
                id = (short)(lastId + (header >> 4));
            else if (Varint(out _, out var longId))
                id = (short)ZigZag32(longId);
            else
                return Fail("cut short");
            lastId = id;
            var wire = header & 0x0F;
            if (!type.Fields.TryGetValue(id, out var field))
            {
                if (!Skip(wire, depth))
                    return false;
                continue;
            }
            if (!Matches(field.Type, wire))
                return Fail($"field {id} ({field.Name}) of {type.Name} at byte {at} is {A(Wire(wire))} where parquet-format declares {A(Wire((int)field.Type))}");
            if (!Value(field, wire, record, id, depth))
                return false;
        }
    }

    private bool Value(ThriftField field, int wire, ThriftRecord? record, short id, int depth)
    {
        switch (field.Type)
        {
            case ThriftWire.Struct:
                ThriftRecord? nested = record is null ? null : record.Structs[id] = new ThriftRecord();
                return Struct(field.Struct!, nested, depth + 1);
            case ThriftWire.List:
                return List(field, depth);
            case ThriftWire.True:
                if (record is not null)
                    record.Integers[id] = wire == 1 ? 1 : 0; // a bool field's value is its wire type
                return true;
            default:
                if (!Scalar(field.Type, out var value))
                    return false;
                if (record is not null && field.Type is ThriftWire.I16 or ThriftWire.I32 or ThriftWire.I64)
                    record.Integers[id] = value;
                return true;
        }
    }

    private bool List(ThriftField field, int depth)
    {
        if (!ListHeader(out var count, out var element))
            return false;
        if (!Matches(field.Element, element))
            return Fail($"the elements of {field.Name} are {Wire(element)}s where parquet-format declares {Wire((int)field.Element)}s");
        for (ulong i = 0; i < count; i++)
        {
            var ok = field.Element == ThriftWire.Struct ? Struct(field.Struct!, null, depth + 1)
                : field.Element == ThriftWire.True ? Take(1) // a bool element is a byte, unlike a bool field
                : Scalar(field.Element, out _);
            if (!ok)
                return false;
        }
        return true;
    }

    /// <summary>A field the schema does not know, as Parquet.Net's SkipField skips it.</summary>
    private bool Skip(int wire, int depth)
    {
        switch (wire)
        {
            case 1 or 2:
                return true;
            case 12:
                if (depth > MaxNesting)
                    return Fail($"nested deeper than {MaxNesting}");
                while (true) // field headers only: SkipField reads no values inside a skipped struct
                {
                    if (!Byte(out var header))
                        return Fail("cut short");
                    if (header == 0)
                        return true;
                    if (header >> 4 == 0 && !Varint(out _, out _))
                        return Fail("cut short");
                }
            case 9:
                if (!ListHeader(out var count, out var element))
                    return false;
                for (ulong i = 0; i < count; i++)
                    if (!Skip(element, depth + 1))
                        return false;
                return true;
            case >= 3 and <= 8:
                return Scalar((ThriftWire)wire, out _);
            default:
                return Fail($"an unknown field is {A(Wire(wire))}, which Parquet.Net cannot skip");
        }
    }

    private bool Scalar(ThriftWire type, out long value)
    {
        value = 0;
        switch (type)
        {
            case ThriftWire.Byte:
                return Take(1);
            case ThriftWire.Double:
                return Take(8);
            case ThriftWire.Binary:
                if (!Varint(out _, out var length))
                    return false;
                // Parquet.Net allocates the length it reads (an int) before it reads the bytes.
                if ((int)length < 0 || (int)length > Left)
                    return Fail($"a string of {length:N0} bytes at byte {Position} runs past the {Left:N0} bytes left");
                Position += (int)length;
                return true;
            default: // i16, i32, i64
                if (!Varint(out var raw, out var raw32))
                    return false;
                value = type == ThriftWire.I64 ? (long)(raw >> 1) ^ -(long)(raw & 1) : ZigZag32(raw32);
                return true;
        }
    }

    private bool ListHeader(out ulong count, out int element)
    {
        count = 0;
        element = 0;
        if (!Byte(out var header))
            return Fail("cut short");
        count = (ulong)(header >> 4);
        element = header & 0x0F;
        if (count == 15)
        {
            if (!Varint(out _, out var size))
                return false;
            count = size;
        }
        // Every element takes at least one byte (a bool element too, unlike a bool field): a larger count is a lie
        // Parquet.Net would allocate a list for (its count is an int).
        return (int)count >= 0 && count <= (ulong)Left
            || Fail($"a list of {count:N0} elements at byte {Position} cannot fit in the {Left:N0} bytes left");
    }

    private static bool Matches(ThriftWire declared, int wire) =>
        declared == ThriftWire.True ? wire is 1 or 2 : wire == (int)declared;

    private static string Wire(int wire) => wire switch
    {
        1 or 2 => "bool",
        3 => "byte",
        4 => "i16",
        5 => "i32",
        6 => "i64",
        7 => "double",
        8 => "binary",
        9 => "list",
        10 => "set",
        11 => "map",
        12 => "struct",
        _ => $"type {wire}",
    };

    private static string A(string noun) => (noun[0] is 'i' or 'a' or 'e' or 'o' or 'u' ? "an " : "a ") + noun;

    private static int ZigZag32(uint n) => (int)(n >> 1) ^ -(int)(n & 1);

    /// <summary>A varint of at most 10 bytes, as Parquet.Net reads it into 64 bits (an i64) and into 32 bits (all
    /// else: C# masks the shift to 5 bits, so bytes past the fifth still land in the value), so that lengths and ids
    /// are the ones it will use.</summary>
    private bool Varint(out ulong value, out uint value32)
    {
        value = 0;
        value32 = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (!Byte(out var b))
                return false;
            value |= (ulong)(b & 0x7F) << shift;
            value32 |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return true;
        }
        return Fail($"a varint longer than 10 bytes at byte {Position}");
    }

    private bool Byte(out byte value)
    {
        value = Left > 0 ? _bytes[Position] : (byte)0;
        return Take(1);
    }

    private bool Take(int count)
    {
        if (count > Left)
            return false;
        Position += count;
        return true;
    }

    private bool Fail(string why)
    {
        _error ??= why;
        return false;
    }
}
