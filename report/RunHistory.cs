using PoFT.Shared;
using PoFT.Trainer.Training;

namespace PoFT.Report;

/// <summary>One run's history as its <c>metrics.jsonl</c> holds it: every step's and every evaluation's record,
/// read with the trainer's own reader (<see cref="MetricsLog"/>).</summary>
public sealed record RunHistory(string Label, string Directory, IReadOnlyList<StepMetrics> Steps, IReadOnlyList<EvalMetrics> Evals)
{
    /// <summary>Whether the run's data marks noise, so that τ splits into clean and noise.</summary>
    public bool HasNoiseSplit => Steps.Any(s => s.TauNoise is not null);

    public bool HasTau => Steps.Any(s => s.TauMean is not null) || Evals.Any(e => e.MeanTau is not null);

    public static RunHistory Read(string directory, string label)
    {
        var path = Path.Combine(directory, MetricsLog.FileName);
        if (!File.Exists(path))
            throw new PoftUserException($"{directory}: not a run directory: no {MetricsLog.FileName} (a `train` run's output holds one)");
        var (steps, evals) = (new List<StepMetrics>(), new List<EvalMetrics>());
        var lines = File.ReadLines(path).Select((l, i) => (Text: l, Number: i + 1)).Where(x => x.Text.Length > 0).ToList();
        foreach (var (line, number) in lines)
        {
            try
            {
                if (System.Text.Json.Nodes.JsonNode.Parse(line)?["kind"]?.GetValue<string>() == "eval")
                    evals.Add(MetricsLog.ReadEval(line));
                else
                    steps.Add(MetricsLog.ReadStep(line));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                // The last line of a run killed mid-write is cut short, as metrics.jsonl's own reader allows on resume.
                if (number == lines[^1].Number)
                    break;
                throw new PoftUserException($"{path}:{number}: not a metrics record ({e.Message})");
            }
        }
        if (steps.Count == 0 && evals.Count == 0)
            throw new PoftUserException($"{path}: no records yet");
        return new RunHistory(label, directory, steps, evals);
    }
}
