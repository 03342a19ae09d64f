using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>One number of a candidate against a baseline over the seeds both ran, paired by seed: both sides'
/// mean ± std, how many seeds the candidate was better on by itself, and which direction is better.</summary>
public sealed record PairedOutcome(MeanStd Candidate, MeanStd Baseline, int SeedsWon, bool HigherIsBetter)
{
    /// <param name="candidate">The candidate's value per seed, in the order of <paramref name="baseline"/>'s.</param>
    public static PairedOutcome Of(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, bool higherIsBetter)
    {
        if (candidate.Count != baseline.Count)
            throw new ArgumentException($"{candidate.Count} candidate values against {baseline.Count} baseline values: not paired by seed");
        var won = candidate.Zip(baseline).Count(p => higherIsBetter ? p.First > p.Second : p.First < p.Second);
        return new PairedOutcome(MeanStd.Of(candidate), MeanStd.Of(baseline), won, higherIsBetter);
    }

    public int Seeds => Candidate.N;

    /// <summary>Positive where the candidate's mean is the better one, in the metric's own units.</summary>
    public double Margin => HigherIsBetter ? Candidate.Mean - Baseline.Mean : Baseline.Mean - Candidate.Mean;

    /// <summary>The seeds' spread of both sides together, √(σ²₁ + σ²₂): a margin below it is within seed noise.</summary>
    public double CombinedStd => Math.Sqrt(Candidate.Std * Candidate.Std + Baseline.Std * Baseline.Std);
}
