using System.Globalization;
using PoFT.Experiment;
using PoFT.Trainer.Training;

namespace PoFT.Cli.Terminal;

/// <summary>A training run's steps on the terminal: step/total, loss, CE and mean τ (DPO: the reward margin and
/// accuracy), learning rate, tokens/s.</summary>
public sealed class TrainingProgress(string title, int totalSteps) : ITrainingDisplay
{
    private readonly ProgressDisplay _display = new(title, totalSteps, "steps");

    public void Report(StepMetrics m) =>
        _display.Report(m.Step, m.Preference is { } p
            ? string.Create(CultureInfo.InvariantCulture, $"loss {m.Loss:F4} margin {p.RewardsMargins:F3} acc {p.RewardsAccuracies:F2} lr {m.Lr:E2} {m.TokensPerS:F0} tok/s")
            : string.Create(CultureInfo.InvariantCulture, $"loss {m.Loss:F4} ce {m.Ce:F4} {Tau(m.TauMean)}lr {m.Lr:E2} {m.TokensPerS:F0} tok/s"), m.TotalSteps);

    /// <summary>Mean τ where the objective has one; a CE run scores nothing, and an empty "τ" read as a fault.</summary>
    private static string Tau(double? tau) => tau is { } t ? string.Create(CultureInfo.InvariantCulture, $"τ {t:F3} ") : "";

    public ValueTask DisposeAsync() => _display.DisposeAsync();
}
