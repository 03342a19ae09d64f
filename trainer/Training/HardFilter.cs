using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;

namespace PoFT.Trainer.Training;

/// <summary>The paper's hard filter: keep the top <c>percent</c> % of samples by r̄ (or, <c>keep_top_by: ifd</c>, the lowest
/// IFD), ties by file order, in file order, so that the sampler's permutation alone decides the training order.</summary>
public static class HardFilter
{
    /// <exception cref="InvalidDataException">By IFD, and a sample's score has none (scored without <c>--ifd</c>, or online).</exception>
    public static List<SftSample> KeepTop(IReadOnlyList<SftSample> samples, IReadOnlyDictionary<string, PreferenceScore> scores, double percent,
        KeepTopBy by = KeepTopBy.Rbar)
    {
        if (percent >= 100)
            return [.. samples];
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percent);
        var keep = (int)Math.Ceiling(samples.Count * percent / 100);
        var chosen = samples.Select((s, i) => (Worse: Badness(scores[s.Id], by), Index: i))
            .OrderBy(p => p.Worse).ThenBy(p => p.Index)
            .Take(keep).Select(p => p.Index).ToHashSet();
        return [.. samples.Where((_, i) => chosen.Contains(i))];
    }

    private static double Badness(PreferenceScore score, KeepTopBy by) => by == KeepTopBy.Rbar ? -score.Reference
        : score.Ifd ?? throw new InvalidDataException($"keep_top_by ifd: sample '{score.SampleId}' has no IFD; give a score file of `score --ifd` " +
            "(online scoring computes r̄ only)");
}
