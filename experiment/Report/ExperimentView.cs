namespace PoFT.Experiment.Report;

/// <summary>The results arranged the way the report and plots read them: noise levels, objectives in report
/// order, and the runs of one objective at one noise level.</summary>
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

    /// <summary>A colour index per objective, the same in every plot.</summary>
    public int ColourIndex(string objective) => Objectives.ToList().IndexOf(objective);
}
