using ScottPlot;

namespace PoFT.Report;

/// <summary>A mean-over-seeds curve with ± std error bars, in one colour, as the per-epoch and per-noise plots draw it.</summary>
public static class CurveDrawing
{
    /// <summary>Solid lines with filled circles; <paramref name="dashed"/> gives dashes and open squares, which
    /// the legend shows too (it draws every line solid).</summary>
    public static void AddMeanStd(Plot plot, IReadOnlyList<EpochPoint> points, Color colour, string label, bool dashed = false) =>
        AddMeanStd(plot, [.. points.Select(p => (double)p.Epoch)], [.. points.Select(p => p.Value)], colour, label, dashed);

    public static void AddMeanStd(Plot plot, double[] xs, IReadOnlyList<MeanStd> values, Color colour, string label, bool dashed = false)
    {
        if (xs.Length == 0)
            return;
        double[] means = [.. values.Select(v => v.Mean)];
        var line = plot.Add.Scatter(xs, means, colour);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = 7;
        line.LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid;
        line.MarkerShape = dashed ? MarkerShape.OpenSquare : MarkerShape.FilledCircle;
        if (values.Any(v => v.N > 1))
        {
            var errors = plot.Add.ErrorBar(xs, means, [.. values.Select(v => v.Std)]);
            errors.Color = colour;
            errors.LineWidth = 1.5f;
        }
    }
}
