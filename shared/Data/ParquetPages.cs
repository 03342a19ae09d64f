using System.Buffers.Binary;
using Parquet.Meta;

namespace PoFT.Shared.Data;

/// <summary>
/// Checks what a Parquet file declares it holds before Parquet.Net reads its rows, which allocates each declared size
/// up front (Parquet 6.1.0: a column chunk's <c>num_values</c> slots and levels, each page's
/// <c>uncompressed_page_size</c> bytes, a dictionary's <c>num_values</c>, a row group's <c>num_rows</c> rows), so that a
/// file of a few kilobytes cannot ask for gigabytes. Each column chunk's page headers are walked as Parquet.Net walks
/// them (from the chunk's first page offset, page after page, until its values are read) with
/// <see cref="ThriftCompactWalker"/>; every page must lie inside the file before the footer. The sizes declared —
/// <see cref="BytesPerSlot"/> bytes a value and a row, plus each page's uncompressed bytes (for snappy and zstd, the
/// length the page's own bytes declare, which is what they allocate) — must stay within
/// <see cref="Limit"/>: 1,032 times the file's size (deflate's greatest compression ratio, the most a page compressed
/// by a real writer expands) or <c>max_record_mb</c>, whichever is larger.
/// </summary>
internal static class ParquetPages
{
    /// <summary>What a declared value or row costs at least once read: a 16-byte slot (a reference, or a value and its
    /// definition and repetition levels).</summary>
    private const long BytesPerSlot = 16;

    /// <summary>deflate's greatest compression ratio (zlib's technical notes: 1032:1).</summary>
    private const long MaxExpansion = 1032;

    /// <summary>A page header is read in windows of this size (one larger only when its statistics need it).</summary>
    private const int HeaderWindow = 64 << 10;

    public static long Limit(long fileLength, long maxRecordBytes) => Math.Max(maxRecordBytes, MaxExpansion * fileLength);

    /// <exception cref="DataFormatException">A page is garbled or outside the file, or the file declares more than
    /// <see cref="Limit"/>.</exception>
    public static void Check(string path, FileMetaData footer, long maxRecordBytes)
    {
        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);
        Span<byte> tail = stackalloc byte[4];
        RandomAccess.Read(file, tail, length - 8);
        var pagesEnd = length - 8 - BinaryPrimitives.ReadInt32LittleEndian(tail); // ParquetFooter.Check has checked it
        var limit = Limit(length, maxRecordBytes);
        var declared = new Declared(path, limit);
        for (var g = 0; g < footer.RowGroups.Count; g++)
        {
            var group = footer.RowGroups[g];
            declared.Add(group.NumRows, BytesPerSlot, $"row group {g + 1}'s num_rows");
            foreach (var chunk in group.Columns)
                if (chunk.MetaData is { } column)
                    CheckChunk(file, path, pagesEnd, column, $"row group {g + 1}, column '{string.Join('.', column.PathInSchema)}'", declared);
        }
    }

    private static void CheckChunk(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, long pagesEnd,
        ColumnMetaData column, string where, Declared declared)
    {
        declared.Add(column.NumValues, BytesPerSlot, $"{where}: num_values");
        // Parquet.Net starts at the smallest non-zero of these offsets (File/DataColumnReader.cs, GetFileOffset).
        long[] offsets = [.. new[] { column.DictionaryPageOffset ?? 0, column.DataPageOffset, column.IndexPageOffset ?? 0 }.Where(o => o != 0)];
        if (offsets.Length == 0)
            return; // Parquet.Net refuses it itself, allocating nothing
        var offset = offsets.Min();
        long valuesRead = 0;
        while (valuesRead < column.NumValues)
        {
            if (offset < 4 || offset >= pagesEnd)
                throw Bad(path, $"{where}: a page at byte {offset:N0} lies outside the file's pages (bytes 4 to {pagesEnd:N0}), " +
                    $"with {valuesRead:N0} of its {column.NumValues:N0} values read");
            var (header, headerLength) = ReadHeader(file, path, offset, pagesEnd, where);
            var compressed = header.Integer(ParquetThriftSchema.CompressedPageSize);
            var dataStart = offset + headerLength;
            if (compressed < 0 || compressed > pagesEnd - dataStart)
                throw Bad(path, $"{where}: the page at byte {offset:N0} declares {compressed:N0} compressed bytes, " +
                    $"but {pagesEnd - dataStart:N0} bytes are left before the footer");
            if (CodecLength(file, column.Codec, header, dataStart, compressed) is { } codecLength)
                declared.Add(codecLength.Length, 1, $"{where}: the page at byte {offset:N0}'s {codecLength.Codec} length");
            else
                declared.Add(header.Integer(ParquetThriftSchema.UncompressedPageSize), 1, $"{where}: the page at byte {offset:N0}'s uncompressed_page_size");
            var pageValues = PageValues(header);
            if (pageValues < 0)
                throw Bad(path, $"{where}: the page at byte {offset:N0} declares {pageValues:N0} values");
            if (header.Structs.ContainsKey(ParquetThriftSchema.DictionaryPage) && header.Integer(ParquetThriftSchema.PageType) == 2)
                declared.Add(pageValues, BytesPerSlot, $"{where}: the dictionary page at byte {offset:N0}'s num_values");
            else if (header.Integer(ParquetThriftSchema.PageType) is 0 or 3)
                valuesRead += pageValues;
            else
                return; // another page type: Parquet.Net refuses it itself
            offset = dataStart + compressed;
        }
    }

    /// <summary>
    /// The length a snappy or zstd page's own bytes declare, which Parquet.Net's decompressors allocate instead of its
    /// <c>uncompressed_page_size</c> (File/Compressor.cs: Snappier's DecompressToMemory, ZstdSharp's Unwrap), read by
    /// those libraries' own functions; null for the other codecs, which allocate the declared size, and for a page
    /// whose length does not read (the decompressor refuses it the same way, allocating nothing).
    /// </summary>
    private static (long Length, string Codec)? CodecLength(Microsoft.Win32.SafeHandles.SafeFileHandle file, CompressionCodec codec,
        ThriftRecord header, long dataStart, long compressed)
    {
        if (codec is not (CompressionCodec.SNAPPY or CompressionCodec.ZSTD))
            return null;
        long levels = 0;
        if (header.Integer(ParquetThriftSchema.PageType) == 3 && header.Structs.TryGetValue(ParquetThriftSchema.DataPageV2, out var v2))
        {
            if (v2.Integers.GetValueOrDefault(ParquetThriftSchema.IsCompressed, 1) == 0)
                return null; // stored as is: nothing is decompressed
            levels = v2.Integer(ParquetThriftSchema.DefinitionLevelsByteLength) + v2.Integer(ParquetThriftSchema.RepetitionLevelsByteLength);
        }
        if (levels < 0 || levels > compressed)
            return null;
        var data = new byte[compressed - levels];
        RandomAccess.Read(file, data, dataStart + levels);
        try
        {
            return codec == CompressionCodec.SNAPPY
                ? (Snappier.Snappy.GetUncompressedLength(data), "snappy")
                : ((long)Math.Min(ZstdSharp.Decompressor.GetDecompressedSize(data), long.MaxValue), "zstd");
        }
        catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The values a page declares: of its data page header (v1 or v2) or its dictionary page header.</summary>
    private static long PageValues(ThriftRecord header)
    {
        var kind = header.Integer(ParquetThriftSchema.PageType) switch
        {
            0 => ParquetThriftSchema.DataPage,
            2 => ParquetThriftSchema.DictionaryPage,
            3 => ParquetThriftSchema.DataPageV2,
            _ => (short)0,
        };
        return header.Structs.TryGetValue(kind, out var page) ? page.Integer(ParquetThriftSchema.NumValues) : 0;
    }

    private static (ThriftRecord Header, int Length) ReadHeader(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path,
        long offset, long pagesEnd, string where)
    {
        var window = (int)Math.Min(HeaderWindow, pagesEnd - offset);
        while (true)
        {
            var bytes = new byte[window];
            RandomAccess.Read(file, bytes, offset);
            var header = new ThriftRecord();
            var walker = new ThriftCompactWalker(bytes);
            if (walker.Struct(ParquetThriftSchema.PageHeader, header))
                return (header, walker.Position);
            // A header cut short by the window (long statistics) is read again whole, up to the footer.
            if (window < pagesEnd - offset)
            {
                window = (int)Math.Min(pagesEnd - offset, int.MaxValue);
                continue;
            }
            throw Bad(path, $"{where}: the page header at byte {offset:N0} is {ParquetFooter.Garbled(walker)}");
        }
    }

    private static DataFormatException Bad(string path, string why) => new(path, $"not a readable Parquet file: {why}");

    /// <summary>The running total of what the file declares, refused the moment it passes the limit.</summary>
    private sealed class Declared(string path, long limit)
    {
        private Int128 _total;

        public void Add(long count, long bytesEach, string what)
        {
            if (count < 0)
                throw Bad(path, $"{what} is {count:N0}");
            var bytes = (Int128)count * bytesEach;
            if (_total + bytes > limit)
                throw Bad(path, $"{what} is {count:N0}, so the file declares {Mib(_total + bytes)} when read, more than the {Mib(limit)} " +
                    "a file of its size may hold (1,032 times its size, or max_record_mb if larger)");
            _total += bytes;
        }

        private static string Mib(Int128 bytes) => $"{(double)bytes / (1024 * 1024):N1} MiB";
    }
}
