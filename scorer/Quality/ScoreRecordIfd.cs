using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Quality;

/// <summary>The IFD of each model over a score file's records, where the file was scored with <c>--ifd</c>.</summary>
public static class ScoreRecordIfd
{
    /// <returns>Per model (manifest order) each record's IFD; null where no record has IFD.</returns>
    /// <exception cref="InvalidDataException">Some records have IFD and others not (files of two runs mixed).</exception>
    public static List<double[]>? PerModel(IReadOnlyList<ScoreRecord> records)
    {
        var with = records.Count(r => r.Models.All(m => m.HasIfd));
        if (with == 0)
            return null;
        if (with != records.Count)
            throw new InvalidDataException($"{with} of {records.Count} score records carry IFD and the rest not; score the file with --ifd throughout");
        return [.. Enumerable.Range(0, records[0].Models.Count).Select(j => records.Select(r => r.Models[j].Ifd!.Value).ToArray())];
    }

    /// <summary>The IFD a sample is filtered by: the plain mean of the models' IFDs (docs/scoring.md, "IFD"); the
    /// manifest's weights are not in the score file, and IFD is a ratio per model, not a log-likelihood to weigh.</summary>
    public static double Combined(ScoreRecord record) =>
        record.Models.Average(m => m.Ifd ?? throw new InvalidDataException($"score record '{record.Id}': model '{m.Name}' has no IFD; score with --ifd"));
}
