using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Quality;

/// <summary>The score report of a score file, written beside it (<see cref="ScoreQualityFiles"/>): what <c>score</c>
/// does at its end and <c>score-report</c> does for an existing file.</summary>
public static class ScoreQualityRun
{
    /// <param name="dataPath">The data that was scored, for its <c>is_noise</c> marks (AUC); null: no AUC.</param>
    /// <returns>The report and the path of its markdown file.</returns>
    public static (ScoreQualityReport Report, string Markdown) Write(string scorePath, string? dataPath, DataFormat? format = null,
        int lowest = ScoreQualityReport.DefaultLowest)
    {
        var records = ScoreFile.Read(scorePath);
        var marks = dataPath is null ? null : SampleData.Read(dataPath, skipBad: true, format).Samples.ToDictionary(s => s.Id, s => s.IsNoise);
        var report = ScoreQualityReport.Of(scorePath, records, marks, lowest);
        return (report, ScoreQualityFiles.Write(report));
    }
}
