using ScottPlot;
using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>The paper's Figure 3d: r̄ of clean and of noise samples at the highest noise level, pooled over seeds,
/// each as the fraction of its own samples per bin so that the smaller group stays visible.</summary>
public static class ReferenceScorePlot
{
    public const string FileName = "reference-scores.png";
    private const int Bins = 40;

    public static Plot? Build(ExperimentView view)
    {
        var samples = view.Results.ReferenceScores.Where(s => s.Noise == view.HighestNoise).ToArray();
        double[] clean = [.. samples.SelectMany(s => s.CleanScores)];
        double[] noise = [.. samples.SelectMany(s => s.NoiseScores)];
        if (clean.Length == 0 || noise.Length == 0)
            return null;
        var auc = Statistics.SummariseReferenceScores(samples).Single().Auc;
        var noiseText = ReportNumbers.Plain(view.HighestNoise);
        var plot = PlotCanvas.New($"Reference score r̄ at noise {noiseText} (AUC clean vs noise {auc.Format(3)})",
            "r̄ = mean per-token log-probability under the aligned models", "fraction of samples");

        var low = Math.Min(clean.Min(), noise.Min());
        var high = Math.Max(clean.Max(), noise.Max());
        if (high == low)
        {
            low -= 0.5;
            high += 0.5;
        }
        var width = (high - low) / Bins;
        AddHistogram(plot, clean, low, width, PlotCanvas.Colour(0), $"clean ({clean.Length} samples)");
        AddHistogram(plot, noise, low, width, PlotCanvas.Colour(3), $"noise ({noise.Length} samples)");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static void AddHistogram(Plot plot, double[] values, double low, double width, Color colour, string label)
    {
        var fractions = new double[Bins];
        foreach (var v in values)
            fractions[Math.Min(Bins - 1, (int)((v - low) / width))] += 1.0 / values.Length;
        double[] centres = [.. Enumerable.Range(0, Bins).Select(i => low + (i + 0.5) * width)];
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
