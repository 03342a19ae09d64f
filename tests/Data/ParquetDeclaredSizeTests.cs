using System.Buffers.Binary;
using Parquet;
using Parquet.Serialization;
using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Data;

/// <summary>
/// Parquet files that declare more than they hold: refused naming what was declared, before Parquet.Net allocates
/// it (shared/Data/ThriftCompactWalker.cs, ParquetPages.cs). Found by fuzzing (scripts/fuzz.sh data): a footer that
/// passed the structural walk asked Parquet.Net 6.1.0 for a 1.7 GB string — an OutOfMemoryException under the
/// fuzzer's 1 GiB heap. Each file here is a real one written by Parquet.Net with one field rewritten by hand.
/// </summary>
public class ParquetDeclaredSizeTests
{
    private const int Declared = 1_700_000_000;

    public sealed class TextRow
    {
        public string? text { get; set; }
    }

    [Fact]
    public async Task A_footer_field_of_another_wire_type_is_refused_before_its_declared_length_is_allocated()
    {
        using var temp = new TempDirectory();
        var path = temp.File("created-by.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new TextRow { text = "Hello" } }, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, CreatedByAsI32(bytes, Declared));

        var error = Refusal(() => SftDataSet.Read(path), out var allocated);

        Assert.Matches(@"^.*created-by\.parquet: not a readable Parquet file: its footer \(the file's metadata, \d+ bytes\) is garbled: " +
            @"field 6 \(created_by\) of FileMetaData at byte \d+ is an i32 where parquet-format declares a binary$", error.Message);
        // Parquet.Net reads that i32's varint as the string's length and allocates it before reading: 1.7 GB.
        Assert.True(allocated < 64 << 20, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public async Task A_column_chunk_declaring_more_values_than_the_file_can_hold_is_refused_before_they_are_allocated()
    {
        using var temp = new TempDirectory();
        var path = temp.File("values.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new TextRow { text = "Hello" } }, path);
        // ColumnMetaData: codec (field 4, i32 1 = snappy) then num_values (field 5, i64 1), each with a one-step id delta.
        byte[] numValues = [0x15, 0x02, 0x16, 0x02];
        File.WriteAllBytes(path, ReplaceInFooter(File.ReadAllBytes(path), numValues, [0x15, 0x02, 0x16, .. Varint(2UL * Declared)]));

        var error = Refusal(() => SftDataSet.Read(path), out var allocated);

        // A row (16 bytes) and 1.7 billion values of 16 bytes each, against the 16 MiB floor of max_record_mb.
        Assert.EndsWith($"values.parquet: not a readable Parquet file: row group 1, column 'text': num_values is 1,700,000,000, so the file declares " +
            $"{(16.0 + 16.0 * Declared) / (1 << 20):N1} MiB when read, more than the 16.0 MiB a file of its size may hold " +
            "(1,032 times its size, or max_record_mb if larger)", error.Message);
        Assert.True(allocated < 64 << 20, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public async Task A_page_declaring_more_than_the_file_can_expand_to_is_refused_before_it_is_allocated()
    {
        using var temp = new TempDirectory();
        var path = temp.File("page.parquet");
        // 300,000 rows of "a", plain-encoded and gzipped: a file of about 2.5 KB whose one page is 1.5 MB uncompressed,
        // a size that takes a 4-byte varint.
        const int rows = 300_000;
        await ParquetSerializer.SerializeAsync(Enumerable.Repeat(new TextRow { text = "a" }, rows), path,
            new ParquetOptions { CompressionMethod = CompressionMethod.Gzip, DictionaryEncodingThreshold = 0 });
        var bytes = File.ReadAllBytes(path);
        var (at, length) = FirstPageUncompressedSize(bytes);
        Assert.Equal(4, length);
        const int uncompressed = 134_217_727; // the largest 4-byte varint of an even zigzag: 0x0FFFFFFE
        Varint(2UL * uncompressed).CopyTo(bytes, at);
        File.WriteAllBytes(path, bytes);

        var error = Refusal(() => SftDataSet.Read(path), out var allocated);

        // By hand: 16 bytes a row and a value, then the page's bytes, against the 16 MiB floor.
        var declared = (16.0 * rows + 16.0 * rows + uncompressed) / (1 << 20);
        Assert.EndsWith($"page.parquet: not a readable Parquet file: row group 1, column 'text': the page at byte 4's uncompressed_page_size is " +
            $"134,217,727, so the file declares {declared:N1} MiB when read, more than the 16.0 MiB a file of its size may hold " +
            "(1,032 times its size, or max_record_mb if larger)", error.Message);
        Assert.True(allocated < 64 << 20, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public async Task A_snappy_page_whose_own_length_is_more_than_the_file_can_expand_to_is_refused_before_it_is_allocated()
    {
        using var temp = new TempDirectory();
        var path = temp.File("snappy.parquet");
        // One plain-encoded page, snappy-compressed (Parquet.Net's default), then the footer: the page's data can grow,
        // as nothing after it but the footer (found from the file's end) is located by offset.
        await ParquetSerializer.SerializeAsync(new[] { new TextRow { text = "Hello" } }, path, new ParquetOptions { DictionaryEncodingThreshold = 0 });
        var bytes = File.ReadAllBytes(path);
        // The page header: type, uncompressed_page_size, compressed_page_size (each field header 0x15, a one-byte varint), ...
        Assert.Equal([0x15, 0x00, 0x15], bytes[4..7]);
        Assert.Equal(0x15, bytes[8]);
        var compressed = bytes[9] >> 1;
        var headerEnd = 4 + HeaderLength(bytes, 4);
        Assert.True(bytes[headerEnd] < 0x80, "a one-byte snappy length");
        // Snappy's length prefix (a varint) rewritten to 1.7 billion, and compressed_page_size grown by the 4 bytes added.
        var length = Varint(Declared);
        Assert.True(2 * (compressed + length.Length - 1) < 0x80, "compressed_page_size stays one byte");
        bytes[9] = (byte)(2 * (compressed + length.Length - 1));
        File.WriteAllBytes(path, [.. bytes[..headerEnd], .. length, .. bytes[(headerEnd + 1)..]]);

        var error = Refusal(() => SftDataSet.Read(path), out var allocated);

        Assert.EndsWith($"snappy.parquet: not a readable Parquet file: row group 1, column 'text': the page at byte 4's snappy length is 1,700,000,000, " +
            $"so the file declares {(16.0 + 16.0 + Declared) / (1 << 20):N1} MiB when read, more than the 16.0 MiB a file of its size may hold " +
            "(1,032 times its size, or max_record_mb if larger)", error.Message);
        Assert.True(allocated < 64 << 20, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public async Task Real_files_within_the_limit_still_read()
    {
        using var temp = new TempDirectory();
        var path = temp.File("big.parquet");
        var text = new string('a', 1 << 20);
        await ParquetSerializer.SerializeAsync(new[] { new SftDataSetTests.PairRow { prompt = "Say a lot.", response = text } }, path,
            new ParquetOptions { CompressionMethod = CompressionMethod.Gzip });
        Assert.Equal(text, SftDataSet.Read(path, format: DataFormat.Default with { MaxRecordMb = 1 }).Samples.Single().Messages[^1].Content);
    }

    /// <summary>The refusal of <paramref name="read"/>, and the bytes this process allocated meanwhile (on every thread:
    /// Parquet.Net's footer is parsed on a pool thread).</summary>
    private static DataFormatException Refusal(Action read, out long allocated)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.Throws<DataFormatException>(read);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        return error;
    }

    /// <summary>The file with its footer's created_by (a string) rewritten as an i32 whose varint is
    /// <paramref name="length"/> — what Parquet.Net takes for the string's length.</summary>
    private static byte[] CreatedByAsI32(byte[] file, int length)
    {
        // Parquet.Net writes created_by last: a field header (an id delta and type 8, binary), a one-byte length, the
        // text, then the struct's stop byte.
        var footer = Footer(file);
        var text = footer.AsSpan().IndexOf("Parquet.Net"u8);
        Assert.True(text > 2 && (footer[text - 2] & 0x0F) == 8 && footer[text - 1] == footer.Length - text - 1, "created_by where expected");
        return ReplaceInFooter(file, footer[(text - 2)..], [(byte)((footer[text - 2] & 0xF0) | 5), .. Varint((uint)length), 0]);
    }

    private static byte[] Footer(byte[] file)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        return file[(file.Length - 8 - length)..^8];
    }

    /// <summary>The file with the one occurrence of <paramref name="old"/> in its footer replaced, and the footer's
    /// length updated (nothing else points into the footer).</summary>
    private static byte[] ReplaceInFooter(byte[] file, byte[] old, byte[] replacement)
    {
        var footer = Footer(file);
        var at = footer.AsSpan().IndexOf(old);
        Assert.True(at >= 0 && footer.AsSpan(at + 1).IndexOf(old) < 0, "the bytes to replace occur once");
        byte[] changed = [.. footer[..at], .. replacement, .. footer[(at + old.Length)..]];
        var tail = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tail, changed.Length);
        "PAR1"u8.CopyTo(tail.AsSpan(4));
        return [.. file.AsSpan(0, file.Length - 8 - footer.Length), .. changed, .. tail];
    }

    /// <summary>The length of the Thrift compact struct at <paramref name="at"/>, walked here without a schema
    /// (this file's page headers hold only varints, strings and structs).</summary>
    private static int HeaderLength(byte[] bytes, int at)
    {
        var start = at;
        var depth = 0;
        while (true)
        {
            var header = bytes[at++];
            if (header == 0)
            {
                if (depth-- == 0)
                    return at - start;
                continue;
            }
            Assert.NotEqual(0, header >> 4); // short-form field ids only
            switch (header & 0x0F)
            {
                case 5 or 6:
                    while ((bytes[at++] & 0x80) != 0) { }
                    break;
                case 8:
                    var size = 0;
                    for (var shift = 0; ; shift += 7)
                    {
                        var b = bytes[at++];
                        size |= (b & 0x7F) << shift;
                        if ((b & 0x80) == 0)
                            break;
                    }
                    at += size;
                    break;
                case 12:
                    depth++;
                    break;
                default:
                    Assert.Fail($"wire type {header & 0x0F} in a page header");
                    break;
            }
        }
    }

    private static byte[] Varint(ulong value)
    {
        List<byte> bytes = [];
        for (; value >= 0x80; value >>= 7)
            bytes.Add((byte)(value | 0x80));
        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>Where the first page's uncompressed_page_size varint lies (the first page follows 'PAR1': field 1, its type,
    /// then field 2, each an i32 with header 0x15), and how many bytes it takes.</summary>
    private static (int At, int Length) FirstPageUncompressedSize(byte[] file)
    {
        Assert.Equal(0x15, file[4]);
        var at = 5;
        while ((file[at++] & 0x80) != 0) { }
        Assert.Equal(0x15, file[at++]);
        var start = at;
        while ((file[at++] & 0x80) != 0) { }
        return (start, at - start);
    }
}
