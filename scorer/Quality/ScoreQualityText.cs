using System.Globalization;
using System.Text;

namespace PoFT.Scorer.Quality;

/// <summary>The score report as text: a few lines for the console, and the markdown file.</summary>
public static class ScoreQualityText
{
    /// <summary>One line per score (mean, std, 5/50/95 %, AUC), the models' agreement, the warnings.</summary>
    public static IEnumerable<string> ConsoleLines(ScoreQualityReport report)
    {
        foreach (var s in report.Series)
        {
            var d = s.Distribution;
            yield return Inv($"  {s.Name}: mean={d.Mean:F4} std={d.Std:F4} p5={d.P5:F4} p50={d.P50:F4} p95={d.P95:F4}") +
                (s.Auc is { } auc ? Inv($" auc={auc:F3}") : "") + $" worst={s.Lowest[0].Id}";
        }
        if (report.Agreement.Count > 0)
            yield return "  spearman " + string.Join(" ", report.Agreement.Select(a => $"{a.A}~{a.B}={Number(a.Rho, "F3")}"));
        foreach (var warning in report.Warnings)
            yield return $"warning: {warning}";
    }

    /// <param name="images">Each score's histogram file name (beside the markdown), in series order.</param>
    public static string Markdown(ScoreQualityReport report, IReadOnlyList<string> images)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Score report: {Path.GetFileName(report.ScoreFile)}").AppendLine();
        md.AppendLine(Inv($"{report.Samples} samples") + (report.NoiseMarked is { } n ? Inv($", {n} marked is_noise (AUC: clean over noise)") : ", no noise marks (no AUC)") + ".")
            .AppendLine();
        md.AppendLine("| score | mean | std | min | 5 % | 25 % | 50 % | 75 % | 95 % | max | AUC |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in report.Series)
        {
            var d = s.Distribution;
            md.AppendLine(Inv($"| {s.Name} | {d.Mean:F4} | {d.Std:F4} | {d.Min:F4} | {d.P5:F4} | {d.P25:F4} | {d.P50:F4} | {d.P75:F4} | {d.P95:F4} | {d.Max:F4} | ") +
                $"{Number(s.Auc, "F3")} |");
        }
        md.AppendLine();
        if (report.Agreement.Count > 0)
        {
            md.AppendLine("## Agreement between models (Spearman ρ)").AppendLine().AppendLine("| model | model | ρ |").AppendLine("|---|---|---|");
            foreach (var a in report.Agreement)
                md.AppendLine($"| {a.A} | {a.B} | {Number(a.Rho, "F3")} |");
            md.AppendLine();
        }
        md.AppendLine("## Warnings").AppendLine();
        md.AppendLine(report.Warnings.Count == 0 ? "None." : string.Join("\n", report.Warnings.Select(w => $"- {w}"))).AppendLine();
        md.AppendLine("## Worst samples").AppendLine();
        foreach (var s in report.Series)
            md.AppendLine($"- {s.Name}" + (s.Kind == "ifd" ? " (highest)" : " (lowest)") + ": " +
                string.Join(", ", s.Lowest.Select(l => Inv($"`{l.Id}` {l.Score:F4}"))));
        md.AppendLine().AppendLine("## Histograms").AppendLine();
        foreach (var (s, image) in report.Series.Zip(images))
            md.AppendLine($"![{s.Name}]({image})").AppendLine();
        return md.ToString();
    }

    private static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
