using System.Text.Json;
using PoFT.Scorer.Quality;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer.Quality;

/// <summary>The score report's numbers against values computed by hand (and checkable with numpy.quantile,
/// scipy.stats.spearmanr and sklearn's roc_auc_score), and its files.</summary>
public sealed class ScoreQualityReportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Distribution_is_mean_sample_std_and_type_7_quantiles()
    {
        // Sorted 1 2 3 4 10: mean 4; squared deviations 9+4+1+0+36 = 50, /(5−1) = 12.5; h = 4p: p5 → 1 + 0.2·(2−1) = 1.2,
        // p95 → 4 + 0.8·(10−4) = 8.8.
        var d = ScoreDistribution.Of([10, 2, 4, 1, 3]);
        Assert.Equal(5, d.Count);
        double[] expected = [4, 1, 1.2, 2, 3, 4, 8.8, 10];
        double[] actual = [d.Mean, d.Min, d.P5, d.P25, d.P50, d.P75, d.P95, d.Max];
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 12);
        Assert.Equal(Math.Sqrt(12.5), d.Std, 12);
        Assert.Equal(0, ScoreDistribution.Of([-2.5]).Std);
    }

    [Fact]
    public void Spearman_gives_ties_their_average_rank()
    {
        // Ranks x 1 2.5 2.5 4, y 1 3 2 4 (means 2.5): Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → 4.5/√22.5 (scipy: 0.9486832980505138).
        Assert.Equal(4.5 / Math.Sqrt(22.5), SpearmanCorrelation.Of([1, 2, 2, 3], [1, 3, 2, 4])!.Value, 12);
        Assert.Equal(-1, SpearmanCorrelation.Of([1, 2, 3], [9, 5, 1])!.Value, 12);
        Assert.Null(SpearmanCorrelation.Of([1, 1, 1], [1, 2, 3]));
    }

    [Fact]
    public void The_report_gives_each_models_and_rbars_spread_worst_samples_agreement_and_auc()
    {
        // m1 ranks a > b > c > d, m2 a > c > b = d; clean a, b; noise c, d.
        ScoreRecord[] records = [Record("a", -1, -1), Record("b", -2, -3), Record("c", -1.5, -2), Record("d", -2, -3)];
        var noise = new Dictionary<string, bool> { ["a"] = false, ["b"] = false, ["c"] = true, ["d"] = true };

        var report = ScoreQualityReport.Of("s.jsonl", records, noise, lowest: 2);

        Assert.Equal(["m1", "m2", "r̄"], report.Series.Select(s => s.Name));
        Assert.Equal(2, report.NoiseMarked);
        // m1: clean {−1, −2} over noise {−1.5, −2}: pairs won 1 + 1 + 0 + ½ (the tie) of 4.
        Assert.Equal(0.625, report.Series[0].Auc!.Value, 12);
        // m2: clean {−1, −3} over noise {−2, −3}: 1 + 1 + 0 + ½.
        Assert.Equal(0.625, report.Series[1].Auc!.Value, 12);
        Assert.Equal(-1.625, report.Series[0].Distribution.Mean, 12);
        // Worst first; the tie of b and d at −2 broken by file order.
        Assert.Equal([("b", -2.0), ("d", -2.0)], report.Series[0].Lowest.Select(l => (l.Id, l.Score)));
        // r̄ here is the record's reference (the mean of the two): worst d and b at −2.5, b first.
        Assert.Equal(["b", "d"], report.Series[2].Lowest.Select(l => l.Id));
        // Ranks m1 4 1.5 3 1.5, m2 4 1.5 3 1.5: the same ranks.
        Assert.Equal(1, report.Agreement.Single().Rho!.Value, 12);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void Without_noise_marks_there_is_no_auc()
    {
        ScoreRecord[] records = [Record("a", -1, -1), Record("b", -2, -3)];
        Assert.All(ScoreQualityReport.Of("s.jsonl", records, null).Series, s => Assert.Null(s.Auc));
        var allClean = new Dictionary<string, bool> { ["a"] = false, ["b"] = false };
        Assert.Null(ScoreQualityReport.Of("s.jsonl", records, allClean).NoiseMarked);
    }

    [Fact]
    public void A_record_not_in_the_data_is_refused_by_id()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            ScoreQualityReport.Of("s.jsonl", [Record("a", -1, -1), Record("zz", -2, -3)], new Dictionary<string, bool> { ["a"] = false }));
        Assert.Contains("'zz'", e.Message);
    }

    [Fact]
    public void The_warning_names_the_one_model_whose_ranks_differ_from_the_others()
    {
        // m1 and m2 order the samples alike, m3 the reverse.
        var report = ScoreQualityReport.Of("s.jsonl", Records3((-1, -1.1, -4), (-2, -2.2, -3), (-3, -3.3, -2), (-4, -4.4, -1)), null);
        Assert.Equal("m3", Assert.Single(report.Warnings).Split(' ')[1]);
    }

    [Fact]
    public void Three_models_that_agree_raise_no_warning()
    {
        var report = ScoreQualityReport.Of("s.jsonl", Records3((-1, -1.1, -1.5), (-2, -2.2, -2.5), (-3, -3.3, -3.1), (-4, -4.4, -4.5)), null);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void Two_models_that_rank_apart_raise_a_warning_naming_both()
    {
        ScoreRecord[] records = [Record("a", -1, -4), Record("b", -2, -3), Record("c", -3, -2), Record("d", -4, -1)];
        var warning = Assert.Single(ScoreQualityReport.Of("s.jsonl", records, null).Warnings);
        Assert.Contains("m1 and m2", warning);
    }

    [Fact]
    public void A_model_that_barely_separates_the_noise_is_warned_about()
    {
        // m1 puts both clean samples above both noise samples (AUC 1); m2 half of the pairs (AUC 0.5); ranks agree only partly.
        ScoreRecord[] records = [Record("a", -1, -1), Record("b", -2, -4), Record("c", -3, -2), Record("d", -4, -3)];
        var noise = new Dictionary<string, bool> { ["a"] = false, ["b"] = false, ["c"] = true, ["d"] = true };
        var report = ScoreQualityReport.Of("s.jsonl", records, noise);
        Assert.Equal((1.0, 0.5), (report.Series[0].Auc!.Value, report.Series[1].Auc!.Value));
        Assert.Contains(report.Warnings, w => w.StartsWith("model m2 separates", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Warnings, w => w.StartsWith("model m1", StringComparison.Ordinal));
    }

    [Fact]
    public void The_files_beside_the_score_file_hold_the_numbers_the_tables_and_a_histogram_per_score()
    {
        var scores = Path.Combine(_temp.Path, "run.jsonl");
        ScoreRecord[] records = [Record("a", -1, -1), Record("b", -2, -3), Record("c", -1.5, -2), Record("d", -2, -3)];
        var report = ScoreQualityReport.Of(scores, records, new Dictionary<string, bool> { ["a"] = false, ["b"] = false, ["c"] = true, ["d"] = true });

        var markdown = ScoreQualityFiles.Write(report);

        Assert.Equal(Path.Combine(_temp.Path, "run.quality.md"), markdown);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_temp.Path, "run.quality.json")));
        var m1 = json.RootElement.GetProperty("series")[0];
        Assert.Equal(0.625, m1.GetProperty("auc").GetDouble(), 12);
        Assert.Equal(-1.625, m1.GetProperty("distribution").GetProperty("mean").GetDouble(), 12);
        Assert.False(m1.TryGetProperty("values", out _));
        foreach (var image in new[] { "run.quality.m1.png", "run.quality.m2.png", "run.quality.rbar.png" })
        {
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(_temp.Path, image))[..4]);
            Assert.Contains($"]({image})", File.ReadAllText(markdown));
        }
        Assert.Contains("| m1 | -1.6250 |", File.ReadAllText(markdown));
    }

    private static ScoreRecord Record(string id, double m1, double m2) =>
        new(id, (m1 + m2) / 2, [new ModelScoreRecord("m1", m1, 1, m1), new ModelScoreRecord("m2", m2, 1, m2)]);

    private static ScoreRecord[] Records3(params (double, double, double)[] means) =>
        [.. means.Select((m, i) => new ScoreRecord($"s{i}", (m.Item1 + m.Item2 + m.Item3) / 3,
            [new ModelScoreRecord("m1", m.Item1, 1, m.Item1), new ModelScoreRecord("m2", m.Item2, 1, m.Item2), new ModelScoreRecord("m3", m.Item3, 1, m.Item3)]))];
}
