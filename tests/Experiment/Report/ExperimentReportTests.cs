using PoFT.Plots;
using System.Buffers.Binary;
using System.Globalization;
using PoFT.Experiment.Report;
using PoFT.Tests.Support;
using static PoFT.Tests.Experiment.Report.ExpectedText;

namespace PoFT.Tests.Experiment.Report;

public class ExperimentReportTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly Dictionary<string, string> Names = new()
    {
        ["ce"] = "CE", ["poft"] = "PoFT", ["bi-poft"] = "bi-PoFT", ["ce+keep-top"] = "CE + keep-top", ["poft+keep-top"] = "PoFT + keep-top",
    };

    private static readonly string[] AllPlots = ["reference-scores.png", "heldout-ce.png", "tau.png", "heldout-ce-by-noise.png"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_report_has_a_row_per_objective_and_noise_with_numbers_from_the_runs(bool poftWins)
    {
        using var temp = new TempDirectory();
        var results = SyntheticExperiment.Make(poftWins);
        ExperimentReport.Write(results, temp.Path);
        var report = File.ReadAllText(temp.File("report.md"));

        foreach (var objective in SyntheticExperiment.Objectives)
            foreach (var noise in SyntheticExperiment.NoiseLevels)
            {
                var runs = Runs(results, objective, noise);
                var last = runs.Select(r => r.Epochs[^1].HeldOutCe).ToArray();
                var best = runs.Select(r => r.Epochs.Skip(1).MinBy(e => e.HeldOutCe)!).ToArray();
                var ceLast = Runs(results, "ce", noise).Select(r => r.Epochs[^1].HeldOutCe).Average();
                var delta = objective == "ce" ? "—" : (last.Average() - ceLast).ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture);
                var row = $"| {Names[objective]} | {noise.ToString(CultureInfo.InvariantCulture)} | 2 (1, 2) | {MeanPlusMinusStd(last)} | " +
                          $"{MeanPlusMinusStd([.. best.Select(e => e.HeldOutCe)])} | {string.Join(", ", best.Select(e => e.Epoch))} | {delta} |";
                Assert.Contains(row, report);
            }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_verdict_follows_the_sign_of_the_difference_at_the_highest_noise(bool poftWins)
    {
        using var temp = new TempDirectory();
        var results = SyntheticExperiment.Make(poftWins);
        ExperimentReport.Write(results, temp.Path);
        var report = File.ReadAllText(temp.File("report.md"));

        var poft = Runs(results, "poft", 0.4).Select(r => r.Epochs[^1].HeldOutCe).ToArray();
        var ce = Runs(results, "ce", 0.4).Select(r => r.Epochs[^1].HeldOutCe).ToArray();
        var margin = ce.Average() - poft.Average();
        var seedsWon = poft.Zip(ce).Count(p => p.First < p.Second);
        Assert.Equal(poftWins, margin > 0);
        var verdict = report[report.IndexOf("## Verdict", StringComparison.Ordinal)..report.IndexOf("## Held-out", StringComparison.Ordinal)];
        if (poftWins)
            Assert.Contains($"PoFT beats CE by {margin.ToString("F4", CultureInfo.InvariantCulture)} (last epoch) at noise 0.4", verdict);
        else
            Assert.Contains("PoFT does not beat CE (last epoch) at noise 0.4", verdict);
        Assert.Contains($"PoFT lower on {seedsWon}/2 seeds", verdict);
        // The other objectives are set below CE by design, and each gets its own statement.
        foreach (var other in new[] { "bi-PoFT", "CE + keep-top", "PoFT + keep-top" })
            Assert.Contains($"- {other} beats CE by", verdict);
    }

    [Fact]
    public void The_reference_score_table_has_the_auc_of_each_seed_by_pairwise_count()
    {
        using var temp = new TempDirectory();
        var results = SyntheticExperiment.Make(poftWins: true);
        ExperimentReport.Write(results, temp.Path);
        var report = File.ReadAllText(temp.File("report.md"));

        var samples = results.ReferenceScores.Where(s => s.Noise == 0.4).ToArray();
        var aucs = samples.Select(s => PairwiseAuc(s.CleanScores, s.NoiseScores)).ToArray();
        var clean = samples.SelectMany(s => s.CleanScores).Average().ToString("F4", CultureInfo.InvariantCulture);
        var noise = samples.SelectMany(s => s.NoiseScores).Average().ToString("F4", CultureInfo.InvariantCulture);
        Assert.Contains($"| 0.4 | 2 | {MeanPlusMinusStd(aucs)} | {clean} | {noise} |", report);
        Assert.DoesNotContain("| 0 | 2 |", report);
    }

    [Fact]
    public void The_report_embeds_every_plot_and_each_is_an_800_by_500_png()
    {
        using var temp = new TempDirectory();
        ExperimentReport.Write(SyntheticExperiment.Make(poftWins: true), temp.Path);
        var report = File.ReadAllText(temp.File("report.md"));
        foreach (var plot in AllPlots)
        {
            Assert.Contains($"]({plot})", report);
            var bytes = File.ReadAllBytes(temp.File(plot));
            Assert.Equal(PngSignature, bytes[..8]);
            // The first chunk is IHDR: length (4 bytes), type, then width and height big-endian.
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(500, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public void With_one_noise_level_there_is_no_trend_plot_and_no_noise_histogram()
    {
        using var temp = new TempDirectory();
        ExperimentReport.Write(SyntheticExperiment.Make(poftWins: true, noiseLevels: [0]), temp.Path);
        var report = File.ReadAllText(temp.File("report.md"));
        Assert.False(File.Exists(temp.File("heldout-ce-by-noise.png")));
        Assert.False(File.Exists(temp.File("reference-scores.png")));
        Assert.True(File.Exists(temp.File("heldout-ce.png")));
        Assert.DoesNotContain("heldout-ce-by-noise.png", report);
    }

    [Fact]
    public void The_setup_sections_carry_the_callers_text_and_stage_times()
    {
        using var temp = new TempDirectory();
        var results = SyntheticExperiment.Make(poftWins: true);
        ExperimentReport.Write(results, temp.Path);
        var report = File.ReadAllText(temp.File("report.md"));
        Assert.Contains($"```sh\n{results.Command}\n```", report);
        Assert.Contains("| aligned models | 12.5 | yes |", report);
        Assert.Contains("| training | 40.2 | no |", report);
        Assert.Contains("| **Total** | 52.7 |", report);
        Assert.Contains("| TorchSharp | 0.107.0 |", report);
        Assert.Contains(results.Machine, report);
        Assert.Contains($"## Setup notes\n\n{results.Notes}", report);
        Assert.False(File.Exists(temp.File(ExperimentResults.FileName)));
    }

    [Fact]
    public void Plot_text_uses_the_bundled_font_whatever_the_system_has()
    {
        var typeface = ReportFont.Use();
        Assert.Equal("DejaVu Sans", typeface.FamilyName);
        Assert.Equal("DejaVu Sans", ScottPlot.Fonts.GetTypeface(ScottPlot.Fonts.Default, bold: true, italic: false).FamilyName);
        Assert.True(typeface.ContainsGlyphs("τ±r̄θ−"));
    }

    private static RunResult[] Runs(ExperimentResults results, string objective, double noise) =>
        [.. results.Runs.Where(r => r.Objective == objective && r.Noise == noise).OrderBy(r => r.Seed)];

    private static double PairwiseAuc(IReadOnlyList<double> positives, IReadOnlyList<double> negatives) =>
        positives.Sum(p => negatives.Sum(n => p > n ? 1.0 : p == n ? 0.5 : 0)) / (positives.Count * negatives.Count);
}
