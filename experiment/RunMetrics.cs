using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Experiment.Report;
using PoFT.Trainer.Training;

namespace PoFT.Experiment;

/// <summary>A run's metrics.jsonl read back: its step and evaluation records.</summary>
public sealed record RunMetrics(IReadOnlyList<StepMetrics> Steps, IReadOnlyList<EvalMetrics> Evals)
{
    public static RunMetrics Read(string path)
    {
        var steps = new List<StepMetrics>();
        var evals = new List<EvalMetrics>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var kind = JsonNode.Parse(line)?["kind"]?.GetValue<string>();
            switch (kind)
            {
                case "step":
                    steps.Add(MetricsLog.ReadStep(line));
                    break;
                case "eval":
                    evals.Add(MetricsLog.ReadEval(line));
                    break;
                default:
                    throw new FormatException($"{path}:{number}: 'kind' is '{kind}', expected 'step' or 'eval'");
            }
        }
        if (evals.Count == 0)
            throw new FormatException($"{path}: no evaluation records");
        return new RunMetrics(steps, evals);
    }

    /// <summary>The held-out CE of the last evaluation, which every run of the experiment has.</summary>
    public double FinalHeldOutCe => Evals[^1].HeldOutCe ?? throw new FormatException("the last evaluation has no held-out CE (no eval_data)");

    /// <summary>Per epoch: the held-out CE evaluated at its end and the mean τ of its steps on clean and on noise samples.</summary>
    public IEnumerable<EpochResult> Epochs() => Evals.Select(e =>
    {
        var steps = Steps.Where(s => s.Epoch == e.Epoch).ToList();
        double? Mean(Func<StepMetrics, double?> field) =>
            steps.Select(field).OfType<double>().Where(double.IsFinite).ToList() is { Count: > 0 } values ? values.Average() : null;
        return new EpochResult(e.Epoch, e.HeldOutCe ?? throw new FormatException($"the evaluation of epoch {e.Epoch} has no held-out CE (no eval_data)"), Mean(s => s.TauClean), Mean(s => s.TauNoise));
    });
}
