using System.Text;
using Parquet.Serialization;
using PoFT.Scorer.Quality;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Tests.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer.Quality;

/// <summary><c>filter</c>: exactly the expected samples, in source order, in the source's layout, never over a file.</summary>
public sealed class DataFilterRunTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // r̄: a −1, b −4, c −2, d −3, e −5; IFD (mean of two models): a 0.9, b 0.2, c 0.5, d 0.7, e 0.4.
    private static readonly (string Id, double Rbar, double Ifd1, double Ifd2)[] Scores =
        [("a", -1, 0.8, 1.0), ("b", -4, 0.1, 0.3), ("c", -2, 0.5, 0.5), ("d", -3, 0.6, 0.8), ("e", -5, 0.4, 0.4)];

    [Fact]
    public void Keep_top_by_rbar_copies_the_kept_jsonl_lines_verbatim_in_source_order()
    {
        var lines = Scores.Select(s => $$"""{"id": "{{s.Id}}",  "prompt": "Q {{s.Id}} \u00e9", "response": "A"}""").ToArray();
        var data = _temp.File("d.jsonl");
        File.WriteAllText(data, string.Join("\r\n", lines.Take(3)) + "\n\n" + string.Join("\n", lines.Skip(3)));
        var output = _temp.File("kept.jsonl");

        // ⌈5 · 40 / 100⌉ = 2: the two highest r̄, a and c, in file order.
        var (kept, of) = DataFilterRun.Run(ScoreFile(withIfd: false), data, output, FilterCriterion.Of(40, null, null, FilterScore.Rbar));

        Assert.Equal((2, 5), (kept, of));
        Assert.Equal(lines[0] + "\n" + lines[2] + "\n", File.ReadAllText(output));
        Assert.Contains("keep_top 40 % by rbar", File.ReadAllText(DataFilterRun.SidecarOf(output)));
    }

    [Fact]
    public void Keep_top_by_ifd_keeps_the_lowest_mean_ifd()
    {
        var data = JsonLines("d.jsonl");
        var output = _temp.File("kept.jsonl");
        DataFilterRun.Run(ScoreFile(withIfd: true), data, output, FilterCriterion.Of(60, null, null, FilterScore.Ifd));
        Assert.Equal(["b", "c", "e"], Ids(output));
    }

    [Fact]
    public void Thresholds_keep_rbar_above_and_ifd_below_strictly()
    {
        var data = JsonLines("d.jsonl");
        DataFilterRun.Run(ScoreFile(withIfd: true), data, _temp.File("rbar.jsonl"), FilterCriterion.Of(null, -3, null, FilterScore.Rbar));
        DataFilterRun.Run(ScoreFile(withIfd: true), data, _temp.File("ifd.jsonl"), FilterCriterion.Of(null, null, 0.5, FilterScore.Rbar));
        Assert.Equal(["a", "c"], Ids(_temp.File("rbar.jsonl")));
        Assert.Equal(["b", "e"], Ids(_temp.File("ifd.jsonl")));
    }

    [Fact]
    public void A_json_array_keeps_its_elements_as_written()
    {
        // An element over two lines, its spacing the file's own.
        var elements = Scores.Select(s => $$"""{ "id": "{{s.Id}}",""" + "\n" + $$"""  "instruction": "Q {{s.Id}}", "input": "", "output": "A" }""").ToArray();
        var data = _temp.File("d.json");
        File.WriteAllText(data, "[\n" + string.Join(",\n", elements) + "]");
        var output = _temp.File("kept.json");
        DataFilterRun.Run(ScoreFile(withIfd: false), data, output, FilterCriterion.Of(40, null, null, FilterScore.Rbar));
        Assert.Equal("[\n" + elements[0] + ",\n" + elements[2] + "\n]\n", File.ReadAllText(output));
        Assert.Equal("alpaca", SftDataSet.Read(output).Layout.Split(' ')[0]);
    }

    [Fact]
    public async Task A_parquet_file_keeps_its_rows_and_columns()
    {
        var data = _temp.File("d.parquet");
        await ParquetSerializer.SerializeAsync(Scores.Select(s => new SftDataSetTests.ConversationRow
        {
            id = s.Id,
            messages = [new() { role = "user", content = $"Q {s.Id}" }, new() { role = "assistant", content = "A" }],
        }), data);
        var output = _temp.File("kept.parquet");
        DataFilterRun.Run(ScoreFile(withIfd: false), data, output, FilterCriterion.Of(40, null, null, FilterScore.Rbar));
        var kept = SftDataSet.Read(output).Samples;
        Assert.Equal(["a", "c"], kept.Select(s => s.Id));
        Assert.Equal(SftDataSet.Read(data).Samples[2].Messages, kept[1].Messages);
    }

    [Fact]
    public void An_existing_output_is_refused_and_left_as_it_was()
    {
        var data = JsonLines("d.jsonl");
        var output = _temp.File("kept.jsonl");
        File.WriteAllText(output, "mine\n");
        var e = Assert.Throws<IOException>(() => DataFilterRun.Run(ScoreFile(withIfd: false), data, output, FilterCriterion.Of(40, null, null, FilterScore.Rbar)));
        Assert.Contains("exists", e.Message);
        Assert.Equal("mine\n", File.ReadAllText(output));
        Assert.False(File.Exists(DataFilterRun.SidecarOf(output)));
    }

    [Fact]
    public void Ifd_from_a_file_scored_without_it_is_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            DataFilterRun.Run(ScoreFile(withIfd: false), JsonLines("d.jsonl"), _temp.File("k.jsonl"), FilterCriterion.Of(50, null, null, FilterScore.Ifd)));
        Assert.Contains("--ifd", e.Message);
        Assert.False(File.Exists(_temp.File("k.jsonl")));
    }

    [Fact]
    public void A_sample_without_a_score_is_refused_by_id()
    {
        var data = _temp.File("more.jsonl");
        File.WriteAllText(data, File.ReadAllText(JsonLines("d.jsonl")) + """{"id": "zz", "prompt": "Q", "response": "A"}""" + "\n");
        var e = Assert.Throws<InvalidDataException>(() =>
            DataFilterRun.Run(ScoreFile(withIfd: false), data, _temp.File("k.jsonl"), FilterCriterion.Of(50, null, null, FilterScore.Rbar)));
        Assert.Contains("'zz'", e.Message);
    }

    [Theory]
    [InlineData(50.0, -1.0, null)]
    [InlineData(null, null, null)]
    [InlineData(0.0, null, null)]
    public void One_rule_is_taken(double? keepTop, double? rbarAbove, double? ifdBelow) =>
        Assert.Throws<ArgumentException>(() => FilterCriterion.Of(keepTop, rbarAbove, ifdBelow, FilterScore.Rbar));

    private string JsonLines(string name)
    {
        var path = _temp.File(name);
        if (!File.Exists(path))
            File.WriteAllLines(path, Scores.Select(s => $$"""{"id": "{{s.Id}}", "prompt": "Q", "response": "A"}"""));
        return path;
    }

    private string ScoreFile(bool withIfd)
    {
        var path = _temp.File(withIfd ? "ifd.jsonl.scores.jsonl" : "scores.jsonl");
        if (!File.Exists(path))
            File.WriteAllBytes(path, [.. Scores.Reverse().SelectMany(s => PoFT.Shared.Scoring.ScoreFile.Encode(new ScoreRecord(s.Id, s.Rbar,
                [Model("m1", s.Rbar, withIfd ? s.Ifd1 : null), Model("m2", s.Rbar, withIfd ? s.Ifd2 : null)]), messagePack: false))]);
        return path;
    }

    private static ModelScoreRecord Model(string name, double mean, double? ifd) =>
        new(name, 2 * mean, 2, mean, ifd is null ? null : 2 * (mean + Math.Log(ifd.Value)), ifd is null ? null : 2, ifd);

    private static List<string> Ids(string path) => [.. SftDataSet.Read(path).Samples.Select(s => s.Id)];
}
