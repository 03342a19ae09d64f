using Parquet.Serialization;
using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Data;

/// <summary>The per-sample <c>"weight"</c> field: read in every SFT layout, JSON array and Parquet, and in preference
/// records; 1 where absent or null; anything but a finite number ≥ 0 refused at file:line.</summary>
public class SampleWeightFieldTests
{
    private static string Write(TempDirectory temp, string name, params string[] lines)
    {
        var path = temp.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Theory]
    [InlineData("""{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "weight": 0.25}""")]
    [InlineData("""{"prompt": "q", "response": "a", "weight": 0.25}""")]
    [InlineData("""{"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}], "weight": 0.25}""")]
    [InlineData("""{"instruction": "q", "input": "", "output": "a", "weight": 0.25}""")]
    [InlineData("""{"instruction": "q", "context": "", "response": "a", "weight": 0.25}""")]
    public void Every_layout_reads_the_weight(string line)
    {
        using var temp = new TempDirectory();
        var data = SftDataSet.Read(Write(temp, "data.jsonl", line, line.Replace(", \"weight\": 0.25", "").Replace("\"q\"", "\"q2\"")));
        Assert.Equal([0.25, 1.0], data.Samples.Select(s => s.Weight));
    }

    [Fact]
    public async Task Json_arrays_and_parquet_integer_columns_read_the_weight()
    {
        using var temp = new TempDirectory();
        var json = temp.File("data.json");
        File.WriteAllText(json, """[{"prompt": "q", "response": "a", "weight": 2}, {"prompt": "r", "response": "b", "weight": null}]""");
        Assert.Equal([2.0, 1.0], SftDataSet.Read(json).Samples.Select(s => s.Weight));
        var parquet = temp.File("data.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new Row { prompt = "q", response = "a", weight = 3 } }, parquet);
        Assert.Equal(3.0, SftDataSet.Read(parquet).Samples.Single().Weight);
    }

    private sealed class Row
    {
        public string prompt { get; set; } = "";
        public string response { get; set; } = "";
        public int weight { get; set; }
    }

    [Theory]
    [InlineData("-1", "field 'weight' is -1; expected a finite number ≥ 0")]
    [InlineData("\"2\"", "field 'weight' must be a number ≥ 0 (the sample's loss scale), not string")]
    [InlineData("true", "field 'weight' must be a number ≥ 0 (the sample's loss scale), not true")]
    [InlineData("1e999", "field 'weight'")]
    public void A_bad_weight_is_refused_at_its_line(string weight, string expected)
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "data.jsonl", """{"prompt": "q", "response": "a"}""", $$"""{"prompt": "q2", "response": "a", "weight": {{weight}}}""");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.StartsWith($"{path}:2", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_preference_pairs_weight_is_carried_by_both_completions()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "pairs.jsonl",
            """{"prompt": "q", "chosen": "good", "rejected": "bad", "weight": 0.5}""",
            """{"prompt": "q2", "chosen": "good", "rejected": "bad"}""");
        var pairs = PreferenceDataSet.Read(path).Pairs;
        Assert.Equal([0.5, 0.5, 1.0, 1.0], pairs.SelectMany(p => p.Samples).Select(s => s.Weight));
    }

    [Fact]
    public void The_writer_keeps_the_weight()
    {
        using var temp = new TempDirectory();
        var path = temp.File("out.jsonl");
        SftDataWriter.WriteJsonLines(path, [new SftSample("a", [new("user", "q"), new("assistant", "a")]) { Weight = 0.5 }, new SftSample("b", [new("user", "q"), new("assistant", "b")])]);
        Assert.Equal([0.5, 1.0], SftDataSet.Read(path).Samples.Select(s => s.Weight));
    }
}
