using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>One multiple-choice question: the continuations scored are <see cref="TargetDelimiter"/> + each choice
/// after <see cref="Context"/>, as lm-eval-harness builds them (lm_eval/api/task.py, <c>construct_requests</c>:
/// <c>(ctx, f"{target_delimiter}{cont}") for cont in choices</c>).</summary>
public sealed record MultipleChoiceQuestion(string Id, string Context, IReadOnlyList<string> Choices, int Gold, string TargetDelimiter = " ")
{
    public string Continuation(int choice) => TargetDelimiter + Choices[choice];
}

/// <summary>
/// A benchmark task: multiple-choice questions from one file (.jsonl, .json array or .parquet), named by the file's
/// name. A record holds the context (<c>context</c>, or lm-eval-harness's processed-doc <c>query</c>, or <c>question</c>),
/// the choices (<c>choices</c>: a list of strings, or ARC's <c>{"text": [...], "label": [...]}</c>) and the right one
/// (<c>gold</c> or <c>label</c>: its index, from 0; or <c>answerKey</c>: its label in <c>choices.label</c>, or the
/// choice's text); optionally <c>id</c> and <c>target_delimiter</c> (default " ", lm-eval-harness's). docs/evaluation.md.
/// </summary>
public sealed record MultipleChoiceTask(string Name, string Path, IReadOnlyList<MultipleChoiceQuestion> Questions)
{
    private static readonly string[] ContextFields = ["context", "query", "question"];
    private static readonly string[] GoldFields = ["gold", "label", "answerKey"];

    public static MultipleChoiceTask Read(string path) =>
        new(System.IO.Path.GetFileNameWithoutExtension(path), path,
            DataFileRecords.Read(path, skipBad: false, DataFormat.Default.MaxRecordBytes, Question, q => q.Id, "question").Items);

    private static MultipleChoiceQuestion Question(JsonObject record, string location)
    {
        DataFormatException Bad(string reason) => new(location, reason);
        var contextField = ContextFields.FirstOrDefault(record.ContainsKey)
            ?? throw Bad($"missing the context: one of the fields {string.Join(", ", ContextFields.Select(f => $"'{f}'"))}");
        var context = RecordFields.Text(record, contextField, "record", Bad);
        if (context.Length == 0)
            throw Bad($"field '{contextField}' is empty: a continuation is scored given a context");
        var (choices, labels) = Choices(record, Bad);
        var gold = Gold(record, choices, labels, Bad);
        var delimiter = record.ContainsKey("target_delimiter") ? RecordFields.Text(record, "target_delimiter", "record", Bad) : " ";
        var id = RecordFields.Id(record, () => RecordFields.ContentId([new ChatMessage(ChatMessage.User, context), .. choices.Select(c => new ChatMessage(ChatMessage.Assistant, c))]), Bad);
        return new MultipleChoiceQuestion(id, context, choices, gold, delimiter);
    }

    private static (List<string> Choices, List<string>? Labels) Choices(JsonObject record, Func<string, DataFormatException> bad)
    {
        var (list, labels) = record["choices"] switch
        {
            JsonArray a => (a, null),
            JsonObject { } o when o["text"] is JsonArray text && o["label"] is JsonArray label => (text, label),
            null => throw bad("missing field 'choices'"),
            _ => throw bad("field 'choices' must be a list of strings, or an object of lists 'text' and 'label'"),
        };
        var choices = list.Select((c, i) => c is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s
            : throw bad($"choices[{i}] must be a non-empty string")).ToList();
        if (choices.Count < 2)
            throw bad($"field 'choices' holds {choices.Count} choice(s); a multiple-choice question needs at least 2");
        var labelTexts = labels?.Select((l, i) => l is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw bad($"choices.label[{i}] must be a string")).ToList();
        if (labelTexts is not null && labelTexts.Count != choices.Count)
            throw bad($"choices.text has {choices.Count} entries but choices.label {labelTexts.Count}");
        return (choices, labelTexts);
    }

    private static int Gold(JsonObject record, List<string> choices, List<string>? labels, Func<string, DataFormatException> bad)
    {
        var field = GoldFields.FirstOrDefault(record.ContainsKey) ?? throw bad($"missing the answer: one of the fields {string.Join(", ", GoldFields.Select(f => $"'{f}'"))}");
        var index = record[field] switch
        {
            JsonValue v when v.TryGetValue<int>(out var n) => n,
            JsonValue v when v.TryGetValue<string>(out var s) => GoldOf(s, choices, labels)
                ?? throw bad($"field '{field}': '{s}' is neither a label in choices.label nor one of the choices"),
            _ => throw bad($"field '{field}' must be the right choice's index (from 0) or its label"),
        };
        if (index < 0 || index >= choices.Count)
            throw bad($"field '{field}': index {index} is out of range for {choices.Count} choices (from 0)");
        return index;
    }

    /// <summary>A string answer: a label of ARC's <c>choices.label</c>, else a choice's text.</summary>
    private static int? GoldOf(string answer, List<string> choices, List<string>? labels) =>
        labels?.IndexOf(answer) is >= 0 and var label ? label : choices.IndexOf(answer) is >= 0 and var text ? text : null;
}
