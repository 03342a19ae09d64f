using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Data;

/// <summary>Parquet files whose footer (the Thrift metadata) is broken: refused with the reason, never read forever.</summary>
public class ParquetFooterTests
{
    // Found by fuzzing (scripts/fuzz.sh data): a real two-column file whose footer is garbled at byte 263 of 424.
    // Parquet.Net 6.1.0 read past the footer's end and spun there for ever (shared/Data/ParquetFooter.cs).
    private const string GarbledFooter =
        "UEFSMRUAFRgVHCwVAhUAFQYVBhwYAmMxGAJjMRYAKAJjMRgCYzEAAAAMLAIAAAACAQIAAABjMRUAFUYVSCwVBBUAFQYVBhwYBHVzZXIYCWFzc2lzdGFudAgAKAR1c2VyGAlhc3Npc3RhbnQAAAAjNAQAAAACAAIBAgAAAAQEAQ5AdXNlcgkAAABhc3Npc3RhbnQVABU8FT4sFQQVABUGFQYcGAAoAkhpGAZIZWxsbyEAAAAeNAQAAAACAAIBAgAAAAQEAQYsSGkGAAAASGVsbG8hFQIZfEgEcm9vdBUEABUMJQIYAmlkJQBMHAAAADUCGAhtJXNzYWdlcxUCFQZMPAAAADUEGARsaXN0FQIANQIYB2VsZW1lbnQVBAAVDCUCGARyb2xlJQBMHAAAABUMJQIYB2NvbnRlbnQlAEwcAAAAFgIZHBk8JggcFQwZJQAGGRgCaWQVAhYCFmIWZiYIPBgCYzEYAmMxFgAoAmMxGAJjMQAAACZuHBUMGSUABhlICG1lc3NhZ2VzBGxpc3QHZWxlbWVudARyb2xlBAAWBBa0ARa2ASZuPBgEdXNlchgJYXNzaXN0YXl0FgAoBHVzZXIYCWFzc2lzdGFudAAAACakAhwVDBn//wYZSAhtZXNzYWdlcwRsaXN0B2VsZW1lbnQHY29udGVudBUCFgQWlgEWmAEmpAI8GAJIaRgGSGVsbG8hFgAoAkhpGAZIZWxsbyEAAAAWrAMWAja0AwAoSlBhcnF1ZXQ+TmV0IHZlcnNpb24gNi4xLjAgKGJ1aWxkIGMxNzlkOTdiZDI1NDliNWY0NGE5MjQxZTcyOWY4NjlkNDk0N2VlNTkpAKgBAABQQVIx";

    [Fact]
    public async Task A_garbled_footer_is_refused_naming_where_it_breaks()
    {
        using var temp = new TempDirectory();
        var path = temp.File("garbled.parquet");
        File.WriteAllBytes(path, Convert.FromBase64String(GarbledFooter));
        var read = Task.Run(() => Record.Exception(() => SftDataSet.Read(path)));
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))));
        var error = Assert.IsType<DataFormatException>(await read);
        Assert.Equal($"{path}: not a readable Parquet file: its footer (the file's metadata, 424 bytes) is garbled: field 11 " +
            "(dictionary_page_offset) of ColumnMetaData at byte 204 is an i16 where parquet-format declares an i64", error.Message);
    }

    [Theory]
    [InlineData(0, "it does not end with a footer length and 'PAR1'")]
    [InlineData(4, "it does not end with a footer length and 'PAR1'")]
    public void A_file_cut_before_its_footer_ends_is_refused(int keptTailBytes, string reason)
    {
        using var temp = new TempDirectory();
        var whole = Convert.FromBase64String(GarbledFooter);
        var path = temp.File("cut.parquet");
        File.WriteAllBytes(path, whole[..(whole.Length - 8 + keptTailBytes)]);
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Equal($"{path}: not a readable Parquet file: {reason}", error.Message);
    }

    [Fact]
    public void A_footer_length_beyond_the_file_is_refused()
    {
        using var temp = new TempDirectory();
        var bytes = Convert.FromBase64String(GarbledFooter);
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), bytes.Length);
        var path = temp.File("long.parquet");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Contains($"its footer length {bytes.Length} does not fit in the file's {bytes.Length} bytes", error.Message);
    }
}
