using PoFT.Plots;
using ScottPlot;

namespace PoFT.Scorer.Quality;

/// <summary>A histogram PNG of one score of the report: all samples, or clean and noise-marked apart where the data marks them.</summary>
public static class ScoreHistogramPlot
{
    private const int Bins = 40;

    /// <param name="noise">Each value's noise mark, or null.</param>
    public static void Write(string path, ScoreSeries series, IReadOnlyList<double> values, IReadOnlyList<bool>? noise)
    {
        var axis = series.Kind switch
        {
            "ifd" => "IFD = exp(r(y) − r(y|x))",
            "reference" => "r̄ = weighted mean of the models' per-token log-probabilities",
            _ => "r = mean per-token log-probability of the response",
        };
        var plot = PlotCanvas.New($"{series.Name}: {values.Count} samples", axis, "fraction of samples");
        var (low, width) = Histogram.Bins(values, Bins);
        if (noise is null)
            Histogram.Add(plot, [.. values], low, width, Bins, PlotCanvas.Colour(0), $"all ({values.Count} samples)");
        else
        {
            double[] clean = [.. values.Where((_, i) => !noise[i])], marked = [.. values.Where((_, i) => noise[i])];
            Histogram.Add(plot, clean, low, width, Bins, PlotCanvas.Colour(0), $"clean ({clean.Length} samples)");
            Histogram.Add(plot, marked, low, width, Bins, PlotCanvas.Colour(3), $"is_noise ({marked.Length} samples)");
        }
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        PlotCanvas.Save(plot, path);
    }
}
