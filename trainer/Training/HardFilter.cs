using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Trainer.Training;

/// <summary>The paper's hard filter: keep the top <c>percent</c> % of samples by r̄ (ties by file order),
/// in file order, so that the sampler's permutation alone decides the training order.</summary>
public static class HardFilter
{
    public static List<SftSample> KeepTop(IReadOnlyList<SftSample> samples, IReadOnlyDictionary<string, PreferenceScore> scores, double percent)
    {
        if (percent >= 100)
            return [.. samples];
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percent);
        var keep = (int)Math.Ceiling(samples.Count * percent / 100);
        var chosen = samples.Select((s, i) => (Reference: scores[s.Id].Reference, Index: i))
            .OrderByDescending(p => p.Reference).ThenBy(p => p.Index)
            .Take(keep).Select(p => p.Index).ToHashSet();
        return [.. samples.Where((_, i) => chosen.Contains(i))];
    }
}
