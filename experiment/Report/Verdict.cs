namespace PoFT.Experiment.Report;

/// <summary>The report's answer in words, from the numbers: does an objective beat CE on held-out clean CE, by how
/// much, whether that is clear of the spread over seeds, and on how many seeds it won by itself.</summary>
public static class Verdict
{
    private const int Digits = 4;

    /// <summary>E.g. "PoFT beats CE by 0.1234 (last epoch) at noise 0.4: … Best epoch: …".</summary>
    public static string Sentence(Comparison c)
    {
        var candidate = ObjectiveLabels.Display(c.Candidate);
        var baseline = ObjectiveLabels.Display(c.Baseline);
        var last = Phase(candidate, baseline, c.CandidateLast, c.BaselineLast, c.MarginLast, c.CombinedStdLast, c.SeedsWonLast, c.Seeds.Count);
        var best = Phase(candidate, baseline, c.CandidateBest, c.BaselineBest, c.MarginBest, c.CombinedStdBest, c.SeedsWonBest, c.Seeds.Count);
        return $"{Headline(candidate, baseline, c.MarginLast)} (last epoch) at noise {ReportNumbers.Plain(c.Noise)}: {last}. " +
               $"Best epoch: {Headline(candidate, baseline, c.MarginBest)}: {best}.";
    }

    public static string Headline(string candidate, string baseline, double margin) => margin > 0
        ? $"{candidate} beats {baseline} by {ReportNumbers.Fixed(margin, Digits)}"
        : $"{candidate} does not beat {baseline}";

    private static string Phase(string candidate, string baseline, MeanStd c, MeanStd b, double margin, double combinedStd, int won, int seeds)
    {
        var values = $"{c.Format(Digits)} vs {b.Format(Digits)}";
        var gap = margin > 0 ? "" : $", {baseline} lower by {ReportNumbers.Fixed(-margin, Digits)}";
        // With one seed there is no spread to compare the gap with.
        var clear = seeds < 2 ? "one seed, no spread to compare with"
            : Math.Abs(margin) > combinedStd ? $"more than the combined seed std {ReportNumbers.Fixed(combinedStd, Digits)}"
            : $"within the combined seed std {ReportNumbers.Fixed(combinedStd, Digits)}, so not clear of seed noise";
        return $"{values}{gap}, {clear}; {candidate} lower on {won}/{seeds} seeds";
    }
}
