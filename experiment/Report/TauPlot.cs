using PoFT.Plots;
using ScottPlot;

namespace PoFT.Experiment.Report;

/// <summary>PoFT's per-sample weight τ = σ(r̄ − r_θ) averaged over clean and over noise samples per epoch, at the
/// highest noise level: the soft data filter at work (high on clean data, near 0 on noise).</summary>
public static class TauPlot
{
    public const string FileName = "tau.png";

    /// <summary>The objectives that have a τ. On bi-PoFT's noise samples the reversed loss weighs by 1 − τ, so a τ near 1
    /// there means the target already sits far below the aligned models on them.</summary>
    public static readonly string[] Objectives = [ObjectiveLabels.Poft, ObjectiveLabels.BiPoft];

    public static Plot? Build(ExperimentView view)
    {
        var noise = view.HighestNoise;
        var plot = PlotCanvas.New($"Mean τ per epoch, noise {ReportNumbers.Plain(noise)}",
            "epoch", "mean τ = σ(r̄ − target score)");
        var drawn = false;
        foreach (var objective in Objectives)
        {
            var runs = view.Runs(objective, noise);
            var colour = PlotCanvas.Colour(view.ColourIndex(objective));
            var name = ObjectiveLabels.Display(objective);
            var clean = Statistics.PerEpoch(runs, e => e.TauClean);
            var noisy = Statistics.PerEpoch(runs, e => e.TauNoise);
            CurveDrawing.AddMeanStd(plot, clean, colour, $"{name}, clean");
            CurveDrawing.AddMeanStd(plot, noisy, colour, $"{name}, noise", dashed: true);
            drawn |= clean.Count > 0 || noisy.Count > 0;
        }
        if (!drawn)
            return null;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
