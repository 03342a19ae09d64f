using System.Text.Json.Nodes;
using PoFT.Shared;
using PoFT.Shared.Data;

namespace PoFT.Experiment.WordNet;

/// <summary>
/// The demo's benchmark-style task (the paper judges models by multiple-choice accuracies from log-likelihoods as
/// well as by CE): each held-out definition question with its true gloss among the glosses of <see cref="Distractors"/>
/// other held-out words, in the layout <c>eval</c> reads (docs/evaluation.md). The context is the question as the
/// target's template renders it up to where the answer starts (what it was fine-tuned to continue), so the choices
/// follow with no delimiter. Distractors come from the same split, so no choice is a gloss the target trained on.
/// </summary>
public static class WordNetChoices
{
    public const string FileName = "choices-test.jsonl";
    public const int Distractors = 3;

    /// <param name="context">The rendered prompt of a question's conversation up to its answer.</param>
    public static IReadOnlyList<MultipleChoiceQuestion> Build(IReadOnlyList<SftSample> test, Func<IReadOnlyList<ChatMessage>, string> context, int seed)
    {
        if (test.Count <= Distractors)
            throw new ArgumentException($"{test.Count} held-out questions: a question needs {Distractors} others to take wrong answers from");
        var random = new Random(seed);
        return [.. test.Select((sample, index) =>
        {
            var others = Enumerable.Range(0, test.Count).Where(i => i != index && Gloss(test[i]) != Gloss(sample)).ToArray();
            random.Shuffle(others);
            List<string> choices = [Gloss(sample), .. others.Take(Distractors).Select(i => Gloss(test[i]))];
            var gold = random.Next(choices.Count);
            (choices[0], choices[gold]) = (choices[gold], choices[0]);
            return new MultipleChoiceQuestion(sample.Id, context([.. sample.Messages.Take(sample.Messages.Count - 1)]), choices, gold, TargetDelimiter: "");
        })];
    }

    /// <summary>Writes the questions as JSONL records <c>{id, context, choices, gold, target_delimiter}</c>.</summary>
    public static void Write(string path, IReadOnlyList<MultipleChoiceQuestion> questions) =>
        AtomicFile.WriteAllText(path, string.Concat(questions.Select(q => new JsonObject
        {
            ["id"] = q.Id,
            ["context"] = q.Context,
            ["choices"] = new JsonArray([.. q.Choices.Select(c => (JsonNode)c)]),
            ["gold"] = q.Gold,
            ["target_delimiter"] = q.TargetDelimiter,
        }.ToJsonString() + "\n")));

    private static string Gloss(SftSample sample) => sample.Messages[^1].Content;
}
