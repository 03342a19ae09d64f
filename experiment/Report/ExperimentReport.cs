using PoFT.Shared;

namespace PoFT.Experiment.Report;

/// <summary>Writes report.md and its plots into a directory; results.json is the caller's to save beside them.</summary>
public static class ExperimentReport
{
    public const string FileName = "report.md";

    public static void Write(ExperimentResults results, string directory)
    {
        if (results.Runs.Count == 0)
            throw new ArgumentException("the experiment has no runs to report", nameof(results));
        Directory.CreateDirectory(directory);
        var view = new ExperimentView(results);
        // Plots first: the report embeds only the ones written.
        var plots = ReportPlots.Write(view, directory);
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), ReportMarkdown.Render(view, plots));
    }
}
