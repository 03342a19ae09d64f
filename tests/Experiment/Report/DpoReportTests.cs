using System.Buffers.Binary;
using PoFT.Experiment.Report;
using PoFT.Tests.Support;
using static PoFT.Tests.Experiment.Report.ExpectedText;

namespace PoFT.Tests.Experiment.Report;

public class DpoReportTests
{
    private const string Heading = "## PoFT → DPO vs CE → DPO";

    [Fact]
    public void The_dpo_table_has_a_row_per_start_with_means_and_stds_over_seeds()
    {
        var results = SyntheticExperiment.WithDpo(SyntheticExperiment.Make(poftWins: true), poftMoreAccurate: true, poftLowerCe: true);
        using var temp = new TempDirectory();
        var section = DpoText(Report(results, temp));

        Assert.Contains("At noise 0.4, DPO ran from the CE and the PoFT target with 2 seed(s) (1, 2), on 120 training preference pairs", section);
        foreach (var (start, name) in new[] { ("ce", "CE → DPO"), ("poft", "PoFT → DPO") })
        {
            var runs = Runs(results, start);
            string Cell(Func<DpoResult, double> value) => MeanPlusMinusStd([.. runs.Select(value)]);
            var row = $"| {name} | {Cell(r => r.Before.PreferenceAccuracy)} | {Cell(r => r.After.PreferenceAccuracy)} | " +
                      $"{Cell(r => r.Before.HeldOutCe)} | {Cell(r => r.After.HeldOutCe)} | " +
                      $"{Cell(r => r.After.RewardAccuracy)} | {Cell(r => r.After.RewardMargin)} |";
            Assert.Contains(row, section);
        }
        // CE's row first, as in every other table.
        Assert.True(section.IndexOf("| CE → DPO |", StringComparison.Ordinal) < section.IndexOf("| PoFT → DPO |", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void The_verdict_follows_the_sign_of_each_difference_after_dpo(bool poftMoreAccurate, bool poftLowerCe)
    {
        var results = SyntheticExperiment.WithDpo(SyntheticExperiment.Make(poftWins: true), poftMoreAccurate, poftLowerCe);
        using var temp = new TempDirectory();
        var section = DpoText(Report(results, temp));

        double[] poftAccuracy = [.. Runs(results, "poft").Select(r => r.After.PreferenceAccuracy)];
        double[] ceAccuracy = [.. Runs(results, "ce").Select(r => r.After.PreferenceAccuracy)];
        var accuracyMargin = poftAccuracy.Average() - ceAccuracy.Average();
        Assert.Equal(poftMoreAccurate, accuracyMargin > 0);
        Assert.Contains(poftMoreAccurate
            ? $"PoFT → DPO beats CE → DPO by {Fixed4(accuracyMargin)} on held-out preference accuracy after DPO at noise 0.4"
            : "PoFT → DPO does not beat CE → DPO on held-out preference accuracy after DPO at noise 0.4", section);
        Assert.Contains(Spread(accuracyMargin, poftAccuracy, ceAccuracy), section);
        Assert.Contains($"PoFT → DPO higher on {poftAccuracy.Zip(ceAccuracy).Count(p => p.First > p.Second)}/2 seeds", section);

        double[] poftCe = [.. Runs(results, "poft").Select(r => r.After.HeldOutCe)];
        double[] ceCe = [.. Runs(results, "ce").Select(r => r.After.HeldOutCe)];
        var ceMargin = ceCe.Average() - poftCe.Average();
        Assert.Equal(poftLowerCe, ceMargin > 0);
        Assert.Contains(poftLowerCe
            ? $"Held-out clean CE after DPO: PoFT → DPO beats CE → DPO by {Fixed4(ceMargin)}: {MeanPlusMinusStd(poftCe)} vs {MeanPlusMinusStd(ceCe)}, "
            : $"Held-out clean CE after DPO: PoFT → DPO does not beat CE → DPO: {MeanPlusMinusStd(poftCe)} vs {MeanPlusMinusStd(ceCe)}, CE → DPO lower by {Fixed4(-ceMargin)}, ",
            section);
        Assert.Contains(Spread(ceMargin, poftCe, ceCe), section);
        Assert.Contains($"PoFT → DPO lower on {poftCe.Zip(ceCe).Count(p => p.First < p.Second)}/2 seeds", section);
    }

    [Fact]
    public void With_one_seed_the_dpo_table_has_no_std_and_the_verdict_says_there_is_none()
    {
        var results = SyntheticExperiment.WithDpo(SyntheticExperiment.Make(poftWins: true), poftMoreAccurate: true, poftLowerCe: true, seeds: 1);
        using var temp = new TempDirectory();
        var section = DpoText(Report(results, temp));
        Assert.Contains("with 1 seed(s) (1)", section);
        var table = section.Split('\n').Where(l => l.Contains("→ DPO |", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, table.Length);
        Assert.All(table, row => Assert.DoesNotContain("±", row));
        Assert.Equal(2, CountOf(section, "one seed, no spread to compare with"));
        Assert.Contains("PoFT → DPO higher on 1/1 seeds", section);
    }

    [Fact]
    public void The_dpo_plots_are_embedded_pngs_of_the_report_size()
    {
        var results = SyntheticExperiment.WithDpo(SyntheticExperiment.Make(poftWins: true), poftMoreAccurate: true, poftLowerCe: false);
        using var temp = new TempDirectory();
        var report = Report(results, temp);
        foreach (var plot in new[] { "dpo.png", "dpo-heldout-ce.png" })
        {
            Assert.Contains($"]({plot})", report);
            var bytes = File.ReadAllBytes(temp.File(plot));
            Assert.True(bytes.Length > 10_000, $"{plot} is {bytes.Length} bytes: too small to have drawn anything");
            Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
            Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(500, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Without_dpo_runs_the_report_has_no_dpo_section_and_no_dpo_plot(bool emptyList)
    {
        var results = SyntheticExperiment.Make(poftWins: true) with { Dpo = emptyList ? [] : null };
        using var temp = new TempDirectory();
        var report = Report(results, temp);
        Assert.DoesNotContain(Heading, report);
        Assert.DoesNotContain("→ DPO", report);
        Assert.DoesNotContain("dpo", report, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.GetFiles(temp.Path, "dpo*"));
    }

    private static string Report(ExperimentResults results, TempDirectory directory)
    {
        ExperimentReport.Write(results, directory.Path);
        return File.ReadAllText(directory.File("report.md"));
    }

    /// <summary>From the DPO heading to the next section.</summary>
    private static string DpoText(string report)
    {
        var start = report.IndexOf(Heading, StringComparison.Ordinal);
        Assert.True(start >= 0, "the report has no DPO section");
        var end = report.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
        return report[start..end];
    }

    /// <summary>The verdict's words for a margin against √(σ²₁ + σ²₂) of the two sides' seeds.</summary>
    private static string Spread(double margin, double[] candidate, double[] baseline)
    {
        var combined = Math.Sqrt(SampleStd(candidate) * SampleStd(candidate) + SampleStd(baseline) * SampleStd(baseline));
        return Math.Abs(margin) > combined
            ? $"more than the combined seed std {Fixed4(combined)}"
            : $"within the combined seed std {Fixed4(combined)}, so not clear of seed noise";
    }

    private static DpoResult[] Runs(ExperimentResults results, string start) =>
        [.. results.Dpo!.Where(r => r.Start == start).OrderBy(r => r.Seed)];

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;
}
