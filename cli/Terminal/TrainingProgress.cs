using System.Globalization;
using PoFT.Experiment;
using PoFT.Trainer.Training;

namespace PoFT.Cli.Terminal;

/// <summary>A training run's steps on the terminal: step/total, loss, CE and mean τ (DPO: the reward margin and
/// accuracy), learning rate, tokens/s; and a line for each evaluation (<see cref="EvalLine"/>).</summary>
public sealed class TrainingProgress(string title, int totalSteps) : ITrainingDisplay, IProgress<EvalMetrics>
{
    private readonly ProgressDisplay _display = new(title, totalSteps, "steps");

    public void Report(StepMetrics m) =>
        _display.Report(m.Step, m.Preference is { } p
            ? string.Create(CultureInfo.InvariantCulture, $"loss {m.Loss:F4} margin {p.RewardsMargins:F3} acc {p.RewardsAccuracies:F2} lr {m.Lr:E2} {m.TokensPerS:F0} tok/s")
            : string.Create(CultureInfo.InvariantCulture, $"loss {m.Loss:F4} ce {m.Ce:F4} {Tau(m.TauMean)}lr {m.Lr:E2} {m.TokensPerS:F0} tok/s"), m.TotalSteps);

    /// <summary>τ where the step has one; a CE step without scores shows none rather than an empty value.</summary>
    public static string Tau(double? tau) => tau is { } t ? string.Create(CultureInfo.InvariantCulture, $"τ {t:F3} ") : "";

    public void Report(EvalMetrics m) => _display.WriteLine(EvalLine.Of(m));

    public ValueTask DisposeAsync() => _display.DisposeAsync();
}
