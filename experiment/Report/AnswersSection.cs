using PoFT.Report;
using System.Text;
using System.Text.Json.Nodes;
using PoFT.Trainer.Training;

namespace PoFT.Experiment.Report;

/// <summary>The report's side-by-side answers: for the first held-out questions, the reference answer and each
/// objective's final answer at the highest noise level, seed 1 — the qualitative picture of what noise did to each.</summary>
public static class AnswersSection
{
    /// <summary>Longer answers are cut here in the table (the run's samples.jsonl has them whole).</summary>
    private const int MaxCell = 160;

    /// <returns>The last evaluation's answers in a run's samples.jsonl, or null where the run wrote none.</returns>
    public static IReadOnlyList<HeldOutAnswer>? Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, SamplesLog.FileName);
        if (!File.Exists(path))
            return null;
        var lines = File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).ToList();
        if (lines.Count == 0)
            return null;
        var last = lines.Max(l => l["step"]!.GetValue<int>());
        return [.. lines.Where(l => l["step"]!.GetValue<int>() == last).Select(l => new HeldOutAnswer(
            l["id"]!.GetValue<string>(),
            l["prompt"]!.AsArray().Last(m => m!["role"]!.GetValue<string>() == "user")!["content"]!.GetValue<string>(),
            l["reference"]?.GetValue<string>(),
            l["answer"]!.GetValue<string>()))];
    }

    public static string? Render(ExperimentView view)
    {
        var noise = view.HighestNoise;
        var runs = view.Objectives.Select(o => (Objective: o, Run: view.Runs(o, noise).FirstOrDefault(r => r.Seed == 1 && r.Answers is { Count: > 0 })))
            .Where(r => r.Run is not null).ToList();
        if (runs.Count == 0)
            return null;
        var questions = runs[0].Run!.Answers!;
        var rows = questions.Select(q => (IReadOnlyList<string>)[Cell(q.Question), Cell(q.Reference ?? ""),
            .. runs.Select(r => Cell(r.Run!.Answers!.FirstOrDefault(a => a.Id == q.Id)?.Answer ?? "—"))]);
        return new StringBuilder()
            .Append($"## Answers at noise {ReportNumbers.Plain(noise)}\n\n")
            .Append("Each model's greedy answer (at most 64 tokens) to the first held-out questions at its last evaluation, seed 1, beside the ")
            .Append("held-out reference answer (from each run's samples.jsonl, `training.eval_samples`).\n\n")
            .Append(MarkdownTable.Render(["Question", "Reference", .. runs.Select(r => ObjectiveLabels.Display(r.Objective))], rows)).Append('\n')
            .ToString();
    }

    private static string Cell(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= MaxCell ? flat : flat[..MaxCell] + "…";
    }
}
