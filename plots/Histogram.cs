using ScottPlot;

namespace PoFT.Plots;

/// <summary>Histogram bars of one group of values over shared bins, each bar the fraction of the group's own values
/// in its bin, so that a small group (the noise samples) stays as visible beside a large one.</summary>
public static class Histogram
{
    /// <summary>The lowest bin edge and the bin width that span every group's values in <paramref name="bins"/> bins
    /// (a unit-wide range around a single value).</summary>
    public static (double Low, double Width) Bins(IEnumerable<double> values, int bins)
    {
        var (low, high) = (double.PositiveInfinity, double.NegativeInfinity);
        foreach (var v in values)
            (low, high) = (Math.Min(low, v), Math.Max(high, v));
        if (!double.IsFinite(low))
            throw new ArgumentException("a histogram needs at least one finite value");
        if (high == low)
        {
            low -= 0.5;
            high += 0.5;
        }
        return (low, (high - low) / bins);
    }

    public static void Add(Plot plot, IReadOnlyCollection<double> values, double low, double width, int bins, Color colour, string label)
    {
        var fractions = new double[bins];
        foreach (var v in values)
            fractions[Math.Clamp((int)((v - low) / width), 0, bins - 1)] += 1.0 / values.Count;
        double[] centres = [.. Enumerable.Range(0, bins).Select(i => low + (i + 0.5) * width)];
        var bars = plot.Add.Bars(centres, fractions);
        foreach (var bar in bars.Bars)
        {
            bar.Size = width;
            bar.FillColor = colour.WithAlpha(0.5);
            bar.LineWidth = 0;
        }
        bars.LegendText = label;
    }
}
