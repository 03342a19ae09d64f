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
            : string.Create(CultureInfo.InvariantCulture, $"loss {m.Loss:F4} ce {m.Ce:F4} τ {m.TauMean:F3} lr {m.Lr:E2} {m.TokensPerS:F0} tok/s"), m.TotalSteps);

    public void Report(EvalMetrics m) => _display.WriteLine(EvalLine.Of(m));

    public ValueTask DisposeAsync() => _display.DisposeAsync();
}
