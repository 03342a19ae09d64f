using System.Text.Json.Nodes;
using PoFT.Shared;
using PoFT.Shared.Data;

namespace PoFT.Experiment.WordNet;

/// <summary>
/// Preference pairs for DPO from the demo's definition questions, all of them WordNet's text. The prompt is
/// the question's user turn and the chosen answer its SFT answer (the gloss of the word's most frequent
/// sense); the rejected answer is a plausible wrong one: the gloss of the same word's next sense in
/// WordNet's order (most frequent first) whose definition has a usable length
/// (<see cref="WordNetTasks.HasUsableLength"/>), reads differently from the chosen answer, and names no
/// word that a question outside the given set asks about. That last condition is what keeps pair sets
/// built from different splits apart: the splits share no word or synset, but a word's other senses are
/// shared with other words ("pitching" and "pitch"), so without it a training pair could reject the
/// very gloss a test pair chooses, and the aligned models that score the pairs could have been trained
/// on a rejected gloss as the right answer to their own question. A word with no such sense gets no pair:
/// at the default plan 866 of the 1000 training and 264 of the 300 test questions get one.
/// A pair's id is "pref-" and its question's id, so it is as stable as the question's.
/// </summary>
public static class WordNetPreferences
{
    public const string IdPrefix = "pref-";

    /// <param name="questions">Questions of <paramref name="splits"/> (e.g. its training split), in the
    /// order the pairs are wanted.</param>
    public static IReadOnlyList<PreferencePair> Build(WordNetDatabase database, WordNetSplits splits, IReadOnlyList<SftSample> questions)
    {
        var unknown = questions.FirstOrDefault(q => !splits.Asked.ContainsKey(q.Id));
        if (unknown is not null)
            throw new ArgumentException($"question '{unknown.Id}' is not one of the splits' questions", nameof(questions));
        var inside = questions.Select(q => q.Id).ToHashSet();
        var askedElsewhere = splits.Asked.Where(a => !inside.Contains(a.Key)).Select(a => a.Value.Lemma).ToHashSet();

        var pairs = new List<PreferencePair>();
        foreach (var question in questions)
        {
            var (prompt, answer) = (question.Messages[0], question.Messages[1]);
            var rejected = splits.Asked[question.Id].SynsetIds.Skip(1)
                .Select(id => database.Synsets[id])
                .Where(s => WordNetTasks.HasUsableLength(s.Definition) && !s.Words.Any(w => askedElsewhere.Contains(w.ToLowerInvariant())))
                .Select(s => WordNetTasks.Sentence(s.Definition))
                .FirstOrDefault(text => text != answer.Content);
            if (rejected is not null)
                pairs.Add(PreferencePair.Of(IdPrefix + question.Id, [prompt], [answer], [new ChatMessage(ChatMessage.Assistant, rejected)]));
        }
        return pairs;
    }

    /// <summary>Writes pairs as JSONL in TRL's string layout, {"id", "prompt", "chosen", "rejected"} a line,
    /// atomically. The layout has no roles, so only a single user turn answered by a single assistant turn
    /// fits it; anything else is refused rather than flattened.</summary>
    public static void Write(string path, IEnumerable<PreferencePair> pairs) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        foreach (var pair in pairs)
        {
            var (prompt, chosen) = Split(pair.Chosen);
            var (rejectedPrompt, rejected) = Split(pair.Rejected);
            if (!prompt.SequenceEqual(rejectedPrompt))
                throw new ArgumentException($"pair '{pair.Id}': its chosen and rejected completions answer different prompts");
            var record = new JsonObject
            {
                ["id"] = pair.Id,
                ["prompt"] = Turn(pair, prompt, ChatMessage.User),
                ["chosen"] = Turn(pair, chosen, ChatMessage.Assistant),
                ["rejected"] = Turn(pair, rejected, ChatMessage.Assistant),
            };
            writer.WriteLine(record.ToJsonString());
        }
    });

    private static (List<ChatMessage> Prompt, List<ChatMessage> Completion) Split(SftSample sample) =>
        ([.. sample.Messages.Take(sample.ScoredFrom)], [.. sample.Messages.Skip(sample.ScoredFrom)]);

    private static string Turn(PreferencePair pair, List<ChatMessage> turns, string role) =>
        turns is [var turn] && turn.Role == role ? turn.Content
            : throw new ArgumentException($"pair '{pair.Id}': the string layout holds a single {role} turn where it has {turns.Count} ({string.Join(", ", turns.Select(t => t.Role))})");
}
