using System.Buffers.Binary;

namespace PoFT.Shared.Data;

/// <summary>
/// Checks that a Parquet file's footer is whole before Parquet.Net parses it: the file ends with the footer's length
/// and <c>PAR1</c>, and the footer is one Thrift compact-protocol struct (parquet-format's FileMetaData) that ends
/// inside it, each field of the wire type parquet-format declares (<see cref="ThriftCompactWalker"/>). Both were
/// found by fuzzing (scripts/fuzz.sh data): Parquet.Net 6.1.0 takes a read past the footer's end for the byte 0xFF
/// and spins forever on it (a varint that never ends, a struct that never stops), and it reads a field by the type
/// parquet-format gives it whatever the wire says — an i32 read as a string's length asked for 1.7 GB. So a footer
/// cut short or garbled is refused here with the byte where it breaks, or the field of the wrong type.
/// </summary>
internal static class ParquetFooter
{
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
        var walker = new ThriftCompactWalker(footer);
        if (!walker.Struct(ParquetThriftSchema.FileMetaData, null))
            throw Bad(path, $"its footer (the file's metadata, {footerLength} bytes) is {Garbled(walker)}");
    }

    /// <summary>Why a walk of Thrift bytes stopped, as a refusal's words.</summary>
    internal static string Garbled(ThriftCompactWalker walker) => walker.Error == "cut short"
        ? $"cut short or garbled at byte {walker.Position}" : $"garbled: {walker.Error}";

    private static DataFormatException Bad(string path, string why) => new(path, $"not a readable Parquet file: {why}");
}
