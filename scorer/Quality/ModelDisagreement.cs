namespace PoFT.Scorer.Quality;

/// <summary>
/// When the score report warns that an aligned model disagrees with the rest (docs/scoring.md, "Score report"):
/// <list type="bullet">
/// <item>ranks, three or more models: model j's mean Spearman ρ with the others is at least <see cref="RankGap"/> below
/// the mean ρ of the pairs without j — the others agree with each other and not with j;</item>
/// <item>ranks, two models: their ρ is below <see cref="WeakAgreement"/> — they disagree, and two cannot tell which is off;</item>
/// <item>noise marks: model j's AUC (clean over noise) is at least <see cref="AucGap"/> below the best model's.</item>
/// </list>
/// The thresholds are judgement, not statistics: 0.3 of ρ separates "same ordering, different detail" from a
/// different ordering, and 0.1 of AUC is the gap the issue met (0.63 against 0.90) with room.
/// </summary>
public static class ModelDisagreement
{
    public const double RankGap = 0.3;
    public const double WeakAgreement = 0.3;
    public const double AucGap = 0.1;

    /// <param name="names">The models, in manifest order.</param>
    /// <param name="rho">ρ of models i and j (i ≠ j); null where undefined (a constant score), left out of the means.</param>
    /// <param name="auc">Each model's AUC, or null for all where the data has no noise marks.</param>
    public static List<string> Warnings(IReadOnlyList<string> names, Func<int, int, double?> rho, IReadOnlyList<double>? auc)
    {
        var warnings = new List<string>();
        if (names.Count == 2 && rho(0, 1) is { } pair && pair < WeakAgreement)
            warnings.Add($"models {names[0]} and {names[1]} rank the samples differently (Spearman ρ {pair:F3} < {WeakAgreement}); " +
                "with two models, which one is off cannot be told from the ranks");
        if (names.Count >= 3)
            for (var j = 0; j < names.Count; j++)
            {
                var own = Mean(Pairs(names.Count).Where(p => p.A == j || p.B == j).Select(p => rho(p.A, p.B)));
                var rest = Mean(Pairs(names.Count).Where(p => p.A != j && p.B != j).Select(p => rho(p.A, p.B)));
                if (own is { } o && rest is { } r && r - o >= RankGap)
                    warnings.Add($"model {names[j]} disagrees with the others: its mean Spearman ρ with them is {o:F3}, theirs among themselves {r:F3} " +
                        $"(gap ≥ {RankGap})");
            }
        if (auc is { Count: >= 2 })
        {
            var best = auc.Max();
            var bestName = names[auc.ToList().IndexOf(best)];
            for (var j = 0; j < names.Count; j++)
                if (best - auc[j] >= AucGap)
                    warnings.Add($"model {names[j]} separates the noise-marked samples poorly: AUC {auc[j]:F3} against {bestName}'s {best:F3} (gap ≥ {AucGap})");
        }
        return warnings;
    }

    private static IEnumerable<(int A, int B)> Pairs(int count) =>
        from a in Enumerable.Range(0, count) from b in Enumerable.Range(a + 1, count - a - 1) select (a, b);

    private static double? Mean(IEnumerable<double?> values)
    {
        var defined = values.OfType<double>().ToList();
        return defined.Count == 0 ? null : defined.Average();
    }
}
