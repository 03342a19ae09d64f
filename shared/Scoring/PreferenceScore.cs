namespace PoFT.Shared.Scoring;

/// <summary>The aligned models' reference for one sample: each model's score (in manifest order) and
/// r̄(x, y), their weighted mean of per-token means.</summary>
public sealed record PreferenceScore(string SampleId, IReadOnlyList<ModelScore> PerModel, double Reference)
{
    /// <summary>With IFD (<c>score --ifd</c>): each model's score of the response without its prompt, r(y), in manifest order; null without.</summary>
    public IReadOnlyList<ModelScore>? ResponseOnly { get; init; }

    /// <summary>The sample's IFD: the plain mean over models of exp(r_j(y) − r_j(y|x)); null without <see cref="ResponseOnly"/>.</summary>
    public double? Ifd => ResponseOnly is null ? null : PerModel.Zip(ResponseOnly, (m, y) => Math.Exp(y.Mean - m.Mean)).Average();

    /// <exception cref="InvalidDataException">r̄ is not finite (a model's mean is not), naming the sample.</exception>
    public static PreferenceScore Combine(string sampleId, IReadOnlyList<ModelScore> perModel, IReadOnlyList<double> weights)
    {
        // Weights scaled by the largest sum to at most the number of models, so any positive finite weights
        // give a finite r̄: the plain weighted sum overflows to ∞/∞ = NaN with two weights of 1e308.
        var largest = weights.Max();
        double weighted = 0, total = 0;
        for (var j = 0; j < perModel.Count; j++)
        {
            var weight = weights[j] / largest;
            weighted += weight * perModel[j].Mean;
            total += weight;
        }
        var reference = weighted / total;
        if (!double.IsFinite(reference))
            throw new InvalidDataException($"sample '{sampleId}': r̄ is {reference}, from per-model means [{string.Join(", ", perModel.Select(m => m.Mean))}] " +
                $"and weights [{string.Join(", ", weights)}]; a reference score must be a finite number");
        return new PreferenceScore(sampleId, perModel, reference);
    }
}
