using ScottPlot;
using SkiaSharp;

namespace PoFT.Plots;

/// <summary>DejaVu Sans, bundled in this assembly (licence in Fonts/), as the face of every plot text: CI
/// containers have no system fonts, and the Skia build without fontconfig would draw no glyphs there.</summary>
public static class ReportFont
{
    public const string Family = "DejaVu Sans";
    private const string Resource = "PoFT.Plots.DejaVuSans.ttf";

    private static readonly Lazy<SKTypeface> Registered = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Makes ScottPlot resolve every font name to the bundled face; idempotent.</summary>
    public static SKTypeface Use() => Registered.Value;

    private static SKTypeface Register()
    {
        using var stream = typeof(ReportFont).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"font resource {Resource} is missing from the assembly");
        var typeface = SKTypeface.FromStream(stream)
            ?? throw new InvalidOperationException($"font resource {Resource} is not a font Skia can read");
        // First in the list and answering every name: plots look the same with or without system fonts.
        Fonts.FontResolvers.Insert(0, new Resolver(typeface));
        Fonts.Default = Family;
        Fonts.Sans = Family;
        return typeface;
    }

    private sealed class Resolver(SKTypeface typeface) : IFontResolver
    {
        public SKTypeface CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) => typeface;

        public SKTypeface CreateTypeface(string fontName, bool bold, bool italic) => typeface;
    }
}
