using PoFT.Plots;

namespace PoFT.Experiment.Report;

/// <summary>A PNG written beside the report and the alt text it is embedded with.</summary>
public sealed record PlotFile(string FileName, string Caption);

/// <summary>Writes the plots the results have data for; the report embeds exactly those returned.</summary>
public static class ReportPlots
{
    public static IReadOnlyList<PlotFile> Write(ExperimentView view, string directory)
    {
        var candidates = new (string File, string Caption, Func<ExperimentView, ScottPlot.Plot?> Build)[]
        {
            (ReferenceScorePlot.FileName, "Reference score r̄ of clean and noise samples (Figure 3d)", ReferenceScorePlot.Build),
            (HeldOutCePlot.FileName, "Held-out clean CE per epoch (Figure 3e)", HeldOutCePlot.Build),
            (TauPlot.FileName, "Mean τ on clean and noise samples per epoch", TauPlot.Build),
            (HeldOutByNoisePlot.FileName, "Held-out clean CE after the last epoch vs noise", HeldOutByNoisePlot.Build),
            (DpoPlot.PreferenceAccuracyFileName, "Held-out preference accuracy before and after DPO, from the CE and the PoFT target", DpoPlot.BuildPreferenceAccuracy),
            (DpoPlot.HeldOutCeFileName, "Held-out clean CE before and after DPO, from the CE and the PoFT target", DpoPlot.BuildHeldOutCe),
        };
        var written = new List<PlotFile>();
        foreach (var (file, caption, build) in candidates)
        {
            if (build(view) is not { } plot)
                continue;
            PlotCanvas.Save(plot, Path.Combine(directory, file));
            written.Add(new PlotFile(file, caption));
        }
        return written;
    }
}
