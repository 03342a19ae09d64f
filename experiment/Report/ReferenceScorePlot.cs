using PoFT.Plots;
using ScottPlot;

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

        var (low, width) = Histogram.Bins(clean.Concat(noise), Bins);
        Histogram.Add(plot, clean, low, width, Bins, PlotCanvas.Colour(0), $"clean ({clean.Length} samples)");
        Histogram.Add(plot, noise, low, width, Bins, PlotCanvas.Colour(3), $"noise ({noise.Length} samples)");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }
}
