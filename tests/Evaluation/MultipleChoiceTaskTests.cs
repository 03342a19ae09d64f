using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Evaluation;

/// <summary>The task layout of docs/evaluation.md: ours, lm-eval-harness's processed-doc names and ARC's; errors
/// name the file, line and field.</summary>
public sealed class MultipleChoiceTaskTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Task(string name, params string[] lines)
    {
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Reads_our_fields_lm_eval_harness_names_and_ARCs_labelled_choices()
    {
        var task = MultipleChoiceTask.Read(Task("mixed.jsonl",
            """{"id": "a", "context": "2 + 2 =", "choices": ["4", "5"], "gold": 0}""",
            """{"query": "Sky colour:", "choices": ["green", "blue"], "gold": 1, "target_delimiter": "\n"}""",
            """{"question": "Which is a metal?", "choices": {"text": ["iron", "wood", "salt"], "label": ["A", "B", "C"]}, "answerKey": "A"}""",
            """{"question": "Capital of France?", "choices": ["Rome", "Paris"], "answerKey": "Paris"}"""));
        Assert.Equal("mixed", task.Name);
        Assert.Equal([0, 1, 0, 1], task.Questions.Select(q => q.Gold));
        Assert.Equal("a", task.Questions[0].Id);
        Assert.Equal(" 4", task.Questions[0].Continuation(0));
        Assert.Equal("\nblue", task.Questions[1].Continuation(1));
        Assert.Equal(["iron", "wood", "salt"], task.Questions[2].Choices);
    }

    [Theory]
    [InlineData("""{"context": "x", "gold": 0}""", "missing field 'choices'")]
    [InlineData("""{"context": "x", "choices": ["a", "b"], "gold": 2}""", "field 'gold': index 2 is out of range for 2 choices")]
    [InlineData("""{"context": "x", "choices": ["a"], "gold": 0}""", "at least 2")]
    [InlineData("""{"choices": ["a", "b"], "gold": 0}""", "missing the context")]
    [InlineData("""{"context": "x", "choices": ["a", "b"], "answerKey": "C"}""", "'C' is neither a label")]
    [InlineData("""{"context": "x", "choices": ["a", "b"]}""", "missing the answer")]
    public void A_bad_record_is_refused_naming_its_file_line_and_field(string record, string expected)
    {
        var path = Task("bad.jsonl", """{"context": "ok", "choices": ["a", "b"], "gold": 0}""", record);
        var error = Assert.Throws<DataFormatException>(() => MultipleChoiceTask.Read(path));
        Assert.Equal($"{path}:2", error.Location);
        Assert.Contains(expected, error.Reason);
    }
}
