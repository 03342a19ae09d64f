namespace PoFT.Shared.Scoring;

/// <summary>The aligned models' reference for one sample: each model's score (in manifest order) and
/// r̄(x, y), their weighted mean of per-token means.</summary>
public sealed record PreferenceScore(string SampleId, IReadOnlyList<ModelScore> PerModel, double Reference)
{
    public static PreferenceScore Combine(string sampleId, IReadOnlyList<ModelScore> perModel, IReadOnlyList<double> weights)
    {
        double weighted = 0, total = 0;
        for (var j = 0; j < perModel.Count; j++)
        {
            weighted += weights[j] * perModel[j].Mean;
            total += weights[j];
        }
        return new PreferenceScore(sampleId, perModel, weighted / total);
    }
}
