using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Data;

/// <summary>A record above <c>max_record_mb</c> is a bad record at its file:line, found while its bytes stream past:
/// neither kept whole nor parsed (issue 29 item 2).</summary>
public class RecordSizeLimitTests
{
    private const string Good = """{"prompt": "q", "response": "a"}""";

    /// <summary>A JSONL file whose line 2 is one record of <paramref name="megabytes"/> MiB (a long response).</summary>
    private static string WriteWithLongLine(TempDirectory temp, int megabytes)
    {
        var path = temp.File("data.jsonl");
        using var writer = new StreamWriter(path);
        writer.WriteLine(Good);
        writer.Write("{\"prompt\": \"long\", \"response\": \"");
        var chunk = new string('x', 1 << 20);
        for (var i = 0; i < megabytes; i++)
            writer.Write(chunk);
        writer.WriteLine("\"}");
        writer.WriteLine("""{"prompt": "q3", "response": "c"}""");
        return path;
    }

    [Fact]
    public void A_line_above_the_limit_is_refused_at_its_line_with_bounded_memory()
    {
        using var temp = new TempDirectory();
        var path = WriteWithLongLine(temp, 32);
        var format = DataFormat.Default with { MaxRecordMb = 1 };
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path, format: format));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith($"{path}:2: a record of 33,554,4", error.Message);
        Assert.Contains("above the limit of 1 MiB; raise max_record_mb (--max-record-mb)", error.Message);
        // The 32 MiB line was counted, not kept: what was allocated is about the 1 MiB limit, not the line.
        Assert.True(allocated < 8L << 20, $"{allocated:N0} bytes allocated reading past a 32 MiB line");
    }

    [Fact]
    public void Skip_bad_skips_and_lists_it_and_reads_on()
    {
        using var temp = new TempDirectory();
        var path = WriteWithLongLine(temp, 2);
        var data = SftDataSet.Read(path, skipBad: true, format: DataFormat.Default with { MaxRecordMb = 1 });
        Assert.Equal(2, data.Samples.Count);
        Assert.Equal("c", data.Samples[1].Messages[^1].Content);
        var skipped = Assert.Single(data.Skipped);
        Assert.Equal($"{path}:2", skipped.Location);
        Assert.StartsWith("a record of 2,097,", skipped.Reason);
    }

    [Fact]
    public void The_default_limit_reads_a_record_below_it_and_a_raised_limit_reads_a_long_one()
    {
        using var temp = new TempDirectory();
        var path = WriteWithLongLine(temp, 2);
        Assert.Equal(3, SftDataSet.Read(path).Samples.Count);
        Assert.Equal(DataFormat.DefaultMaxRecordMb, DataFormat.Default.MaxRecordMb);
        Assert.Throws<DataFormatException>(() => SftDataSet.Read(path, format: DataFormat.Default with { MaxRecordMb = 2 }));
        Assert.Equal(3, SftDataSet.Read(path, format: DataFormat.Default with { MaxRecordMb = 3 }).Samples.Count);
    }

    [Fact]
    public void A_json_array_element_above_the_limit_stops_the_read_at_its_line()
    {
        using var temp = new TempDirectory();
        var path = temp.File("data.json");
        File.WriteAllText(path, $"[\n{Good},\n" + "{\"prompt\": \"long\", \"response\": \"" + new string('x', 3 << 20) + "\"}\n]");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path, skipBad: true, format: DataFormat.Default with { MaxRecordMb = 1 }));
        Assert.StartsWith($"{path}:3 (record 2): a record of over ", error.Message);
        Assert.Contains("convert the file to .jsonl to skip it", error.Message);
    }
}
