using System.Text.Json.Nodes;
using PoFT.Shared;
using PoFT.Shared.Data;

namespace PoFT.Trainer.Training;

/// <summary>Answers a conversation with the model being trained (generation/ implements it on the trainer's own model):
/// what each evaluation's sample answers come from.</summary>
public interface IPromptAnswerer
{
    string Answer(IReadOnlyList<ChatMessage> messages);
}

/// <summary>One held-out prompt's answer at an evaluation: a line of the run's samples.jsonl.</summary>
public sealed record SampleAnswer(int Step, string Id, IReadOnlyList<ChatMessage> Prompt, string? Reference, string Answer)
{
    public JsonObject ToJson() => new()
    {
        ["step"] = Step,
        ["id"] = Id,
        ["prompt"] = new JsonArray([.. Prompt.Select(m => new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]),
        ["reference"] = Reference,
        ["answer"] = Answer,
    };

    /// <summary>One evaluation's answers as TensorBoard's text plugin shows them (markdown): per sample its id, last user
    /// message, reference and answer.</summary>
    public static string Markdown(IReadOnlyList<SampleAnswer> answers) => string.Join("\n\n---\n\n", answers.Select(a =>
        $"**{a.Id}**\n\n**user:** {a.Prompt.LastOrDefault(m => m.Role == ChatMessage.User)?.Content}\n\n" +
        $"**reference:** {a.Reference}\n\n**answer:** {a.Answer}"));
}

/// <summary>The run's <c>samples.jsonl</c>: every evaluation's sample answers, appended and flushed as the run goes;
/// a resumed run keeps the lines of steps up to where it resumes and drops later ones (they are about to be answered
/// again), as <see cref="MetricsLog"/> does.</summary>
public sealed class SamplesLog : IDisposable
{
    public const string FileName = "samples.jsonl";

    private readonly StreamWriter _writer;

    private SamplesLog(StreamWriter writer) => _writer = writer;

    /// <param name="keepThroughStep">Resuming: the step resumed from; null: a new run, the file starts empty.</param>
    public static SamplesLog Open(string path, int? keepThroughStep)
    {
        if (keepThroughStep is { } last && File.Exists(path))
        {
            var kept = File.ReadLines(path).Where(line => line.Length > 0 && StepOf(path, line) <= last).ToList();
            AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + '\n');
        }
        var mode = keepThroughStep is null ? FileMode.Create : FileMode.Append;
        return new SamplesLog(new StreamWriter(new FileStream(path, mode, FileAccess.Write, FileShare.Read)) { AutoFlush = true });
    }

    public void Write(IEnumerable<SampleAnswer> answers)
    {
        foreach (var answer in answers)
            _writer.WriteLine(answer.ToJson().ToJsonString());
    }

    public void Dispose() => _writer.Dispose();

    private static int StepOf(string path, string line) =>
        JsonNode.Parse(line)?["step"]?.GetValue<int>() ?? throw new InvalidDataException($"{path}: a line without 'step': {line}");
}
