namespace PoFT.Experiment.Report;

/// <summary>The results arranged the way the report and plots read them: noise levels, objectives in report
/// order, the runs of one objective at one noise level, and the same for the DPO runs by start.</summary>
public sealed class ExperimentView(ExperimentResults results)
{
    public ExperimentResults Results => results;

    public IReadOnlyList<double> NoiseLevels { get; } = [.. results.Runs.Select(r => r.Noise).Distinct().Order()];

    public IReadOnlyList<string> Objectives { get; } = ObjectiveLabels.InOrder(results.Runs.Select(r => r.Objective));

    public IReadOnlyList<HeldOutSummary> Summaries { get; } = Statistics.Summarise(results.Runs);

    /// <summary>The noisiest level run: where the paper's claims (Figure 3d/e) are tested.</summary>
    public double HighestNoise => NoiseLevels.Count > 0 ? NoiseLevels[^1] : throw new InvalidOperationException("the experiment has no runs");

    public IReadOnlyList<RunResult> Runs(string objective, double noise) =>
        [.. results.Runs.Where(r => r.Objective == objective && r.Noise == noise).OrderBy(r => r.Seed)];

    public HeldOutSummary? Summary(string objective, double noise) =>
        Summaries.FirstOrDefault(s => s.Objective == objective && s.Noise == noise);

    /// <summary>The DPO stage's runs; empty where it did not run.</summary>
    public IReadOnlyList<DpoResult> Dpo { get; } = results.Dpo ?? [];

    public IReadOnlyList<double> DpoNoiseLevels { get; } = [.. (results.Dpo ?? []).Select(r => r.Noise).Distinct().Order()];

    /// <summary>The targets DPO started from, in report order.</summary>
    public IReadOnlyList<string> DpoStarts { get; } = ObjectiveLabels.InOrder((results.Dpo ?? []).Select(r => r.Start));

    public IReadOnlyList<DpoSummary> DpoSummaries { get; } = Statistics.SummariseDpo(results.Dpo ?? []);

    public IReadOnlyList<DpoResult> DpoRuns(string start, double noise) =>
        [.. Dpo.Where(r => r.Start == start && r.Noise == noise).OrderBy(r => r.Seed)];

    /// <summary>The DPO summaries of one noise level, one per start, in report order.</summary>
    public IReadOnlyList<DpoSummary> DpoSummariesAt(double noise) =>
        [.. DpoStarts.Select(start => DpoSummaries.FirstOrDefault(s => s.Start == start && s.Noise == noise)).OfType<DpoSummary>()];

    /// <summary>A colour index per objective, the same in every plot.</summary>
    public int ColourIndex(string objective) => Objectives.ToList().IndexOf(objective);
}
