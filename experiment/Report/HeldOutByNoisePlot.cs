using PoFT.Plots;
using ScottPlot;

namespace PoFT.Experiment.Report;

/// <summary>Held-out clean CE after the last epoch against the noise fraction, one line per objective: how fast each
/// objective degrades as noise is mixed in.</summary>
public static class HeldOutByNoisePlot
{
    public const string FileName = "heldout-ce-by-noise.png";

    /// <summary>Null with a single noise level, where there is no trend to draw.</summary>
    public static Plot? Build(ExperimentView view)
    {
        if (view.NoiseLevels.Count < 2)
            return null;
        var plot = PlotCanvas.New("Held-out clean CE after the last epoch vs noise", "noise fraction", "held-out clean CE (nats/token)");
        foreach (var objective in view.Objectives)
        {
            var summaries = view.NoiseLevels.Select(n => view.Summary(objective, n)).OfType<HeldOutSummary>().ToArray();
            CurveDrawing.AddMeanStd(plot, [.. summaries.Select(s => s.Noise)], [.. summaries.Select(s => s.LastEpoch)],
                PlotCanvas.Colour(view.ColourIndex(objective)), ObjectiveLabels.Display(objective));
        }
        // Beside the plot: with five objectives inside it would hide curves.
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
