using PoFT.Scorer.Quality;
using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>The numbers the report states: separability of the reference scores, held-out CE over seeds and the
/// DPO runs' held-out numbers.</summary>
public static class Statistics
{
    /// <summary>One summary per (objective, noise), in the order the pairs first appear; seeds ascending within each.</summary>
    public static IReadOnlyList<HeldOutSummary> Summarise(IReadOnlyList<RunResult> runs) =>
        [.. runs.GroupBy(r => (r.Objective, r.Noise)).Select(g => Summarise(g.Key.Objective, g.Key.Noise, [.. g.OrderBy(r => r.Seed)]))];

    private static HeldOutSummary Summarise(string objective, double noise, IReadOnlyList<RunResult> runs)
    {
        var best = runs.Select(BestEpoch).ToArray();
        return new HeldOutSummary(
            objective,
            noise,
            [.. runs.Select(r => r.Seed)],
            MeanStd.Of([.. runs.Select(r => LastEpoch(r).HeldOutCe)]),
            MeanStd.Of([.. best.Select(e => e.HeldOutCe)]),
            [.. best.Select(e => e.Epoch)]);
    }

    /// <summary>Mean ± std over runs of <paramref name="value"/> at every epoch where at least one run has it.</summary>
    public static IReadOnlyList<EpochPoint> PerEpoch(IReadOnlyList<RunResult> runs, Func<EpochResult, double?> value) =>
        [.. runs.SelectMany(r => r.Epochs)
            .Where(e => value(e) is not null)
            .GroupBy(e => e.Epoch)
            .OrderBy(g => g.Key)
            .Select(g => new EpochPoint(g.Key, MeanStd.Of([.. g.Select(e => value(e)!.Value)])))];

    /// <summary>One summary per noise level whose samples include both clean and noise scores, by noise level.</summary>
    public static IReadOnlyList<ReferenceScoreSummary> SummariseReferenceScores(IReadOnlyList<ReferenceScoreSample> samples) =>
        [.. samples.Where(s => s.CleanScores.Count > 0 && s.NoiseScores.Count > 0)
            .GroupBy(s => s.Noise)
            .OrderBy(g => g.Key)
            .Select(g => new ReferenceScoreSummary(
                g.Key,
                MeanStd.Of([.. g.Select(s => RocAuc.Of(s.CleanScores, s.NoiseScores))]),
                g.SelectMany(s => s.CleanScores).Average(),
                g.SelectMany(s => s.NoiseScores).Average(),
                g.Sum(s => s.CleanScores.Count),
                g.Sum(s => s.NoiseScores.Count)))];

    /// <summary>One summary per (start, noise), in the order the pairs first appear; seeds ascending within each.</summary>
    public static IReadOnlyList<DpoSummary> SummariseDpo(IReadOnlyList<DpoResult> runs) =>
        [.. runs.GroupBy(r => (r.Start, r.Noise)).Select(g =>
        {
            DpoResult[] seeds = [.. g.OrderBy(r => r.Seed)];
            MeanStd Over(Func<DpoResult, double> value) => MeanStd.Of([.. seeds.Select(value)]);
            return new DpoSummary(
                g.Key.Start,
                g.Key.Noise,
                [.. seeds.Select(r => r.Seed)],
                [.. seeds.Select(r => r.TrainPairs).Distinct().Order()],
                Over(r => r.Before.PreferenceAccuracy),
                Over(r => r.After.PreferenceAccuracy),
                Over(r => r.Before.HeldOutCe),
                Over(r => r.After.HeldOutCe),
                Over(r => r.After.RewardAccuracy),
                Over(r => r.After.RewardMargin));
        })];

    public static EpochResult LastEpoch(RunResult run) =>
        run.Epochs.MaxBy(e => e.Epoch) ?? throw new ArgumentException($"run {Describe(run)} has no epochs");

    /// <summary>The trained epoch with the lowest held-out CE (the first of equals).</summary>
    public static EpochResult BestEpoch(RunResult run) =>
        run.Epochs.Where(e => e.Epoch >= 1).OrderBy(e => e.HeldOutCe).ThenBy(e => e.Epoch).FirstOrDefault()
        ?? throw new ArgumentException($"run {Describe(run)} has no trained epoch");

    private static string Describe(RunResult run) => $"{run.Objective} noise {run.Noise} seed {run.Seed}";
}
