using PoFT.Report;

namespace PoFT.Experiment.Report;

/// <summary>The report's answer in words, from the numbers: does a candidate beat its baseline, by how much,
/// whether that is clear of the spread over seeds, and on how many seeds it was better by itself.</summary>
public static class Verdict
{
    private const int Digits = 4;

    /// <summary>E.g. "PoFT beats CE by 0.1234 (last epoch) at noise 0.4: … Best epoch: …".</summary>
    public static string Sentence(Comparison c) =>
        Sentence(ObjectiveLabels.Display(c.Candidate), ObjectiveLabels.Display(c.Baseline), c.Noise,
            ("(last epoch)", c.Last), ("Best epoch", c.Best));

    /// <summary>E.g. "PoFT → DPO beats CE → DPO by 0.0500 on held-out preference accuracy after DPO at noise 0.4: …
    /// Held-out clean CE after DPO: …".</summary>
    public static string Sentence(DpoComparison c) =>
        Sentence(ObjectiveLabels.DisplayDpo(c.Candidate), ObjectiveLabels.DisplayDpo(c.Baseline), c.Noise,
            ("on held-out preference accuracy after DPO", c.PreferenceAccuracy), ("Held-out clean CE after DPO", c.HeldOutCe));

    /// <summary>The headline number's verdict at the noise level, then the second number's under its own name.</summary>
    private static string Sentence(string candidate, string baseline, double noise,
        (string Phrase, PairedOutcome Outcome) headline, (string Name, PairedOutcome Outcome) second) =>
        $"{Headline(candidate, baseline, headline.Outcome.Margin)} {headline.Phrase} at noise {ReportNumbers.Plain(noise)}: {Phase(candidate, baseline, headline.Outcome)}. " +
        $"{second.Name}: {Headline(candidate, baseline, second.Outcome.Margin)}: {Phase(candidate, baseline, second.Outcome)}.";

    public static string Headline(string candidate, string baseline, double margin) => margin > 0
        ? $"{candidate} beats {baseline} by {ReportNumbers.Fixed(margin, Digits)}"
        : $"{candidate} does not beat {baseline}";

    /// <summary>"values, (gap,) how clear; who was better on how many seeds", for one <see cref="PairedOutcome"/>.</summary>
    private static string Phase(string candidate, string baseline, PairedOutcome o)
    {
        var better = o.HigherIsBetter ? "higher" : "lower";
        var values = $"{o.Candidate.Format(Digits)} vs {o.Baseline.Format(Digits)}";
        var gap = o.Margin > 0 ? "" : $", {baseline} {better} by {ReportNumbers.Fixed(-o.Margin, Digits)}";
        // With one seed there is no spread to compare the gap with.
        var clear = o.Seeds < 2 ? "one seed, no spread to compare with"
            : Math.Abs(o.Margin) > o.CombinedStd ? $"more than the combined seed std {ReportNumbers.Fixed(o.CombinedStd, Digits)}"
            : $"within the combined seed std {ReportNumbers.Fixed(o.CombinedStd, Digits)}, so not clear of seed noise";
        return $"{values}{gap}, {clear}; {candidate} {better} on {o.SeedsWon}/{o.Seeds} seeds";
    }
}
