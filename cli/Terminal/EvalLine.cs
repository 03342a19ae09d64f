using System.Globalization;
using PoFT.Trainer.Training;

namespace PoFT.Cli.Terminal;

/// <summary>One evaluation as one console line: its step, the held-out CE, τ on the held-out samples where they have
/// reference scores (a CE run without scores has none, and the line leaves it out rather than print an empty
/// value), and for DPO the held-out preference loss and accuracy.</summary>
public static class EvalLine
{
    public static string Of(EvalMetrics m, string label = "eval")
    {
        var parts = new List<string> { $"{label} step {m.Step}:" };
        if (m.HeldOutCe is { } ce)
            parts.Add(Invariant($"held-out CE {ce:F4}"));
        if (m.MeanTau is { } tau)
            parts.Add(Invariant($"τ {tau:F3}"));
        if (m.PreferenceLoss is { } loss)
            parts.Add(Invariant($"preference loss {loss:F4}"));
        if (m.Preference is { } p)
            parts.Add(Invariant($"rewards/accuracies {p.RewardsAccuracies:F3} logps/accuracies {p.LogpsAccuracies:F3}"));
        return string.Join(' ', parts);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
