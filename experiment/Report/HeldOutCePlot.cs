using PoFT.Plots;
using ScottPlot;

namespace PoFT.Experiment.Report;

/// <summary>The paper's Figure 3e: held-out clean CE after each epoch (epoch 0 is the base model) per objective at
/// the highest noise level, mean over seeds with ± std error bars.</summary>
public static class HeldOutCePlot
{
    public const string FileName = "heldout-ce.png";

    public static Plot Build(ExperimentView view)
    {
        var noise = view.HighestNoise;
        var plot = PlotCanvas.New($"Held-out clean CE per epoch, noise {ReportNumbers.Plain(noise)}",
            "epoch (0 = base model)", "held-out clean CE (nats/token)");
        foreach (var objective in view.Objectives)
        {
            var runs = view.Runs(objective, noise);
            if (runs.Count == 0)
                continue;
            CurveDrawing.AddMeanStd(plot, Statistics.PerEpoch(runs, e => e.HeldOutCe),
                PlotCanvas.Colour(view.ColourIndex(objective)), ObjectiveLabels.Display(objective));
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        // Beside the plot: with five objectives inside it would hide curves.
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
