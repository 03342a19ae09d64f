using ScottPlot;
using PoFT.Shared;

namespace PoFT.Plots;

/// <summary>What every plot shares (the experiment's report, the score report): size, font, colours, and the atomic PNG write.</summary>
public static class PlotCanvas
{
    public const int Width = 800;
    public const int Height = 500;

    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    public static Plot New(string title, string xLabel, string yLabel)
    {
        ReportFont.Use();
        var plot = new Plot();
        plot.Title(title, 16);
        plot.XLabel(xLabel, 14);
        plot.YLabel(yLabel, 14);
        return plot;
    }

    public static Color Colour(int index) => Palette.GetColor(index);

    public static void Save(Plot plot, string path)
    {
        var png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }
}
