using PoFT.Plots;
using ScottPlot;

namespace PoFT.Experiment.Report;

/// <summary>A held-out number before and after DPO, per start, at the noisiest level DPO ran at: each seed's run as a
/// thin line, the mean over seeds with ± std error bars on top.</summary>
public static class DpoPlot
{
    public const string PreferenceAccuracyFileName = "dpo.png";
    public const string HeldOutCeFileName = "dpo-heldout-ce.png";

    private const double Before = 0;
    private const double After = 1;
    // Starts drawn a little apart, so that their error bars and seed lines do not sit on each other.
    private const double Spacing = 0.06;

    public static Plot? BuildPreferenceAccuracy(ExperimentView view) =>
        Build(view, "Held-out preference accuracy", "held-out preference accuracy (logps/accuracies)", p => p.PreferenceAccuracy);

    public static Plot? BuildHeldOutCe(ExperimentView view) =>
        Build(view, "Held-out clean CE", "held-out clean CE (nats/token)", p => p.HeldOutCe);

    /// <summary>Null where the DPO stage did not run.</summary>
    private static Plot? Build(ExperimentView view, string title, string yLabel, Func<DpoPoint, double> value)
    {
        if (view.DpoNoiseLevels.Count == 0)
            return null;
        var noise = view.DpoNoiseLevels[^1];
        var plot = PlotCanvas.New($"{title} before and after DPO, noise {ReportNumbers.Plain(noise)}",
            "thin lines: single seeds; error bars: ± std over seeds", yLabel);
        for (var i = 0; i < view.DpoStarts.Count; i++)
        {
            var start = view.DpoStarts[i];
            var runs = view.DpoRuns(start, noise);
            if (runs.Count == 0)
                continue;
            var colour = PlotCanvas.Colour(view.ColourIndex(start));
            var offset = (i - (view.DpoStarts.Count - 1) / 2.0) * Spacing;
            double[] xs = [Before + offset, After + offset];
            foreach (var run in runs)
            {
                var seed = plot.Add.Scatter(xs, [value(run.Before), value(run.After)], colour.WithAlpha(0.35));
                seed.LineWidth = 1;
                seed.MarkerSize = 4;
            }
            CurveDrawing.AddMeanStd(plot, xs, [MeanStd.Of([.. runs.Select(r => value(r.Before))]), MeanStd.Of([.. runs.Select(r => value(r.After))])],
                colour, $"{ObjectiveLabels.DisplayDpo(start)}, mean");
        }
        plot.Axes.Bottom.SetTicks([Before, After], ["before DPO", "after DPO"]);
        plot.Axes.SetLimitsX(Before - 0.4, After + 0.4);
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
