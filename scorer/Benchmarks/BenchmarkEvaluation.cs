using System.Text.Json;
using System.Text.Json.Serialization;
using PoFT.Scorer.Pipeline;
using PoFT.Shared;
using PoFT.Shared.Data;

namespace PoFT.Scorer.Benchmarks;

/// <summary>One question's result: its choices' summed log-probs and whether each metric counts it right.</summary>
public sealed record QuestionResult(string Id, int Gold, double[] LogLikelihoods, bool Acc, bool AccNorm, bool AccBytes);

/// <summary>One task's accuracies and its questions' results.</summary>
public sealed record TaskResult(TaskAccuracy Accuracy, string File, IReadOnlyList<QuestionResult> Questions);

/// <summary>
/// The <c>eval</c> verb's result: per task and overall — the overall figures are means over all questions of all
/// tasks (each question counts once, as lm-eval-harness's group scores weighted by size) — and the model it measured.
/// </summary>
public sealed record BenchmarkEvaluation(string Model, string Backend, IReadOnlyList<TaskResult> Tasks, TaskAccuracy Overall)
{
    public const string OverallName = "overall";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<BenchmarkEvaluation> RunAsync(string modelName, string backend, AlignedScorerModel model, IReadOnlyList<MultipleChoiceTask> tasks,
        IProgress<int>? scored = null, CancellationToken cancellation = default)
    {
        var logLikelihoods = await MultipleChoiceScoring.LogLikelihoods(model, tasks, scored, cancellation);
        var results = tasks.Select((task, t) =>
        {
            var questions = task.Questions.Select((q, i) =>
            {
                var outcome = QuestionOutcome.Of(q, logLikelihoods[t][i]);
                return new QuestionResult(q.Id, q.Gold, logLikelihoods[t][i], outcome.Acc, outcome.AccNorm, outcome.AccBytes);
            }).ToList();
            return new TaskResult(TaskAccuracy.Of(task.Name, [.. questions.Select(Outcome)]), task.Path, questions);
        }).ToList();
        return new BenchmarkEvaluation(modelName, backend, results, TaskAccuracy.Of(OverallName, [.. results.SelectMany(r => r.Questions).Select(Outcome)]));
    }

    private static QuestionOutcome Outcome(QuestionResult q) => new(q.Acc, q.AccNorm, q.AccBytes);

    /// <summary>Written whole or not at all.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static BenchmarkEvaluation Load(string path) => JsonSerializer.Deserialize<BenchmarkEvaluation>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path}: not an eval result");
}
