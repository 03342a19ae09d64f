using System.Text;

namespace PoFT.Report;

/// <summary>
/// <c>report</c>: the curves of any training runs (<see cref="RunPlots"/>) and a short markdown summary — per run its
/// steps, last loss, best and last held-out CE, and last τ — written to one folder as PNGs and <c>report.md</c>.
/// </summary>
public static class RunReport
{
    public const string MarkdownFile = "report.md";

    /// <returns>The markdown written.</returns>
    public static string Write(IReadOnlyList<RunHistory> runs, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var plots = RunPlots.Write(runs, outputDirectory);
        var text = new StringBuilder("# Training runs\n\n");
        text.Append(MarkdownTable.Render(["run", "steps", "last loss", "best held-out CE (step)", "last held-out CE (step)", "last τ (clean / noise)"],
            runs.Select(Row)));
        foreach (var plot in plots)
            text.Append($"\n![{plot.Caption}]({plot.FileName})\n");
        var markdown = text.ToString();
        PoFT.Shared.AtomicFile.WriteAllText(Path.Combine(outputDirectory, MarkdownFile), markdown);
        return markdown;
    }

    private static IReadOnlyList<string> Row(RunHistory run)
    {
        var withCe = run.Evals.Where(e => e.HeldOutCe is not null).ToList();
        var best = withCe.MinBy(e => e.HeldOutCe);
        var last = withCe.LastOrDefault();
        var step = run.Steps.LastOrDefault();
        return
        [
            run.Label,
            step is null ? "0" : $"{step.Step}",
            step is null ? "—" : ReportNumbers.Fixed(step.Loss, 4),
            best is null ? "—" : $"{ReportNumbers.Fixed(best.HeldOutCe!.Value, 4)} ({best.Step})",
            last is null ? "—" : $"{ReportNumbers.Fixed(last.HeldOutCe!.Value, 4)} ({last.Step})",
            Tau(step),
        ];
    }

    private static string Tau(PoFT.Trainer.Training.StepMetrics? step) => step switch
    {
        { TauClean: { } clean, TauNoise: { } noise } => $"{ReportNumbers.Fixed(clean, 3)} / {ReportNumbers.Fixed(noise, 3)}",
        { TauMean: { } mean } => ReportNumbers.Fixed(mean, 3),
        _ => "—",
    };
}
