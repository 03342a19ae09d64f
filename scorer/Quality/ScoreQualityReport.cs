using System.Text.Json.Serialization;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Quality;

/// <summary>One score over the data set: a model's r_j (or, with IFD, its IFD), or r̄.</summary>
/// <param name="Kind"><c>model</c>, <c>reference</c> (r̄) or <c>ifd</c>.</param>
/// <param name="Auc">Clean over noise-marked samples (higher score = clean; for IFD lower = clean, so its AUC is of −IFD); null without marks.</param>
/// <param name="Lowest">The worst samples by this score (for IFD, the highest IFD), worst first.</param>
/// <param name="Values">Each record's score, in record order (the histogram's; not written to the JSON).</param>
public sealed record ScoreSeries(string Name, string Kind, ScoreDistribution Distribution, double? Auc, IReadOnlyList<SampleScore> Lowest,
    [property: JsonIgnore] IReadOnlyList<double> Values);

public sealed record SampleScore(string Id, double Score);

/// <summary>ρ of two models' scores.</summary>
public sealed record RankAgreement(string A, string B, double? Rho);

/// <summary>
/// The data-quality report of a score file (docs/scoring.md, "Score report"): per aligned model and for r̄ the
/// distribution and the lowest-scoring samples; the models' pairwise rank agreement; where the data marks samples
/// <c>is_noise</c>, each score's AUC of clean over noise; and the warnings of <see cref="ModelDisagreement"/>.
/// </summary>
/// <param name="NoiseMarked">How many samples are marked noise; null where the data was not given or marks none.</param>
/// <param name="NoiseMarks">Each record's mark in record order, or null (the histograms'; not written to the JSON).</param>
public sealed record ScoreQualityReport(string ScoreFile, int Samples, int? NoiseMarked, IReadOnlyList<ScoreSeries> Series,
    IReadOnlyList<RankAgreement> Agreement, IReadOnlyList<string> Warnings, [property: JsonIgnore] IReadOnlyList<bool>? NoiseMarks)
{
    public const int DefaultLowest = 10;

    /// <param name="isNoise">The data's noise marks by sample id, or null (no data given).</param>
    /// <exception cref="InvalidDataException">A record's id is not in the data, or the records' models differ.</exception>
    public static ScoreQualityReport Of(string scoreFile, IReadOnlyList<ScoreRecord> records, IReadOnlyDictionary<string, bool>? isNoise,
        int lowest = DefaultLowest)
    {
        if (records.Count == 0)
            throw new InvalidDataException($"{scoreFile}: no records to report on");
        var names = records[0].Models.Select(m => m.Name).ToList();
        foreach (var record in records)
            if (!record.Models.Select(m => m.Name).SequenceEqual(names))
                throw new InvalidDataException($"{scoreFile}: record '{record.Id}' has models [{string.Join(", ", record.Models.Select(m => m.Name))}], " +
                    $"the first record [{string.Join(", ", names)}]");
        var noise = MarksOf(scoreFile, records, isNoise);
        var perModel = names.Select((_, j) => records.Select(r => r.Models[j].Mean).ToArray()).ToList();
        var series = new List<ScoreSeries>();
        for (var j = 0; j < names.Count; j++)
            series.Add(SeriesOf(names[j], "model", records, perModel[j], noise, lowest, higherIsBetter: true));
        series.Add(SeriesOf("r̄", "reference", records, [.. records.Select(r => r.Reference)], noise, lowest, higherIsBetter: true));
        var ifd = ScoreRecordIfd.PerModel(records);
        for (var j = 0; ifd is not null && j < names.Count; j++)
            series.Add(SeriesOf($"ifd {names[j]}", "ifd", records, ifd[j], noise, lowest, higherIsBetter: false));

        var rho = new double?[names.Count, names.Count];
        var agreement = new List<RankAgreement>();
        for (var a = 0; a < names.Count; a++)
            for (var b = a + 1; b < names.Count; b++)
            {
                rho[a, b] = rho[b, a] = SpearmanCorrelation.Of(perModel[a], perModel[b]);
                agreement.Add(new RankAgreement(names[a], names[b], rho[a, b]));
            }
        var aucs = noise is null ? null : series.Take(names.Count).Select(s => s.Auc!.Value).ToList();
        var warnings = ModelDisagreement.Warnings(names, (a, b) => rho[a, b], aucs);
        return new ScoreQualityReport(scoreFile, records.Count, noise?.Count(n => n), series, agreement, warnings, noise);
    }

    /// <summary>Each record's mark, in record order; null where no data was given or it marks no sample (or all): no AUC then.</summary>
    private static bool[]? MarksOf(string scoreFile, IReadOnlyList<ScoreRecord> records, IReadOnlyDictionary<string, bool>? isNoise)
    {
        if (isNoise is null)
            return null;
        var marks = records.Select(r => isNoise.TryGetValue(r.Id, out var n) ? n
            : throw new InvalidDataException($"{scoreFile}: record '{r.Id}' is not a sample of the data file given; report on the data that was scored")).ToArray();
        return marks.Any(m => m) && marks.Any(m => !m) ? marks : null;
    }

    private static ScoreSeries SeriesOf(string name, string kind, IReadOnlyList<ScoreRecord> records, double[] values, bool[]? noise, int lowest, bool higherIsBetter)
    {
        var sign = higherIsBetter ? 1 : -1;
        double? auc = noise is null ? null
            : RocAuc.Of([.. values.Where((_, i) => !noise[i]).Select(v => sign * v)], [.. values.Where((_, i) => noise[i]).Select(v => sign * v)]);
        var worst = Enumerable.Range(0, values.Length).OrderBy(i => sign * values[i]).ThenBy(i => i).Take(lowest)
            .Select(i => new SampleScore(records[i].Id, values[i])).ToList();
        return new ScoreSeries(name, kind, ScoreDistribution.Of(values), auc, worst, values);
    }
}
