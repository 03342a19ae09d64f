using System.Text;
using System.Text.Json;
using PoFT.Shared;

namespace PoFT.Scorer.Quality;

/// <summary>The report's files beside the score file <c>S.ext</c>: <c>S.quality.json</c>, <c>S.quality.md</c> and a
/// histogram <c>S.quality.NAME.png</c> per score (NAME the model's name made file-safe; <c>rbar</c>; <c>ifd-NAME</c>),
/// each written atomically, replacing an older report of the same file.</summary>
public static class ScoreQualityFiles
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Stem(string scoreFile) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(scoreFile))!,
        Path.GetFileNameWithoutExtension(scoreFile) + ".quality");

    /// <returns>The markdown file's path.</returns>
    public static string Write(ScoreQualityReport report)
    {
        var stem = Stem(report.ScoreFile);
        var images = report.Series.Select(s => $"{Path.GetFileName(stem)}.{FileSafe(s)}.png").ToList();
        foreach (var (series, image) in report.Series.Zip(images))
            ScoreHistogramPlot.Write(Path.Combine(Path.GetDirectoryName(stem)!, image), series, series.Values, report.NoiseMarks);
        AtomicFile.WriteAllText(stem + ".json", JsonSerializer.Serialize(report, Json) + "\n");
        AtomicFile.WriteAllText(stem + ".md", ScoreQualityText.Markdown(report, images));
        return stem + ".md";
    }

    private static string FileSafe(ScoreSeries series)
    {
        if (series.Kind == "reference")
            return "rbar";
        var name = new StringBuilder();
        foreach (var c in series.Name)
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        return name.ToString();
    }
}
