using System.Text.Json;
using System.Text.RegularExpressions;
using PoFT.Experiment;
using PoFT.Experiment.WordNet;
using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Experiment;

/// <summary>The demo's data at its default size, and the DPO pairs of its training and test splits.</summary>
public sealed class WordNetPreferenceFixture
{
    public string Directory { get; } = RepoPaths.Tokenizer("wordnet");
    public WordNetDatabase Database { get; }
    public ILookup<string, WordNetLemma> LemmasByWord { get; }
    public WordNetSplits Splits { get; }
    public IReadOnlyList<PreferencePair> Train { get; }
    public IReadOnlyList<PreferencePair> Test { get; }

    public WordNetPreferenceFixture()
    {
        Database = WordNetDatabase.Load(Directory);
        LemmasByWord = Database.Lemmas.ToLookup(l => l.Lemma);
        Splits = BuildSplits(Database);
        Train = WordNetPreferences.Build(Database, Splits, Splits.Train);
        Test = WordNetPreferences.Build(Database, Splits, Splits.Test);
    }

    public static WordNetSplits BuildSplits(WordNetDatabase database)
    {
        var plan = ExperimentPlan.Default;
        return WordNetTasks.Build(database, plan.AlignedSamples, plan.CleanTrainSamples, plan.TestSamples, plan.DataSeed, plan.PretrainDocuments);
    }
}

public partial class WordNetPreferenceTests(WordNetPreferenceFixture data) : IClassFixture<WordNetPreferenceFixture>
{
    [GeneratedRegex("'([a-z]+)'")]
    private static partial Regex QuotedWord();

    [Fact]
    public void The_default_demo_gives_a_pair_to_most_training_and_test_questions()
    {
        // Measured (WordNet 3.0, ExperimentPlan.Default): pinned so that a change to the rule or the splits
        // is seen rather than silently shrinking the DPO set.
        Assert.Equal(866, data.Train.Count);
        Assert.Equal(264, data.Test.Count);
    }

    [Fact]
    public void Chosen_is_the_SFT_answer_and_rejected_the_next_eligible_senses_gloss_of_the_same_word()
    {
        foreach (var (questions, pairs, others) in new[]
        {
            (data.Splits.Train, data.Train, data.Splits.Aligned.Concat(data.Splits.Test)),
            (data.Splits.Test, data.Test, data.Splits.Aligned.Concat(data.Splits.Train)),
        })
        {
            var askedElsewhere = others.Select(Word).ToHashSet();
            var byId = pairs.ToDictionary(p => p.Id);
            foreach (var question in questions)
            {
                var (chosenSynset, later) = Senses(question);
                var answer = question.Messages[1].Content;
                bool Eligible(WordNetSynset s) => s.Definition.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is >= 3 and <= 40
                    && AsSentence(s.Definition) != answer && !s.Words.Any(w => askedElsewhere.Contains(w.ToLowerInvariant()));
                Assert.Equal(AsSentence(chosenSynset.Definition), answer);

                if (!byId.TryGetValue("pref-" + question.Id, out var pair))
                {
                    Assert.DoesNotContain(later, Eligible);
                    continue;
                }
                Assert.Equal([question.Messages[0], question.Messages[1]], pair.Chosen.Messages);
                Assert.Equal(question.Messages[0], pair.Rejected.Messages[0]);
                Assert.Equal((1, 1), (pair.Chosen.ScoredFrom, pair.Rejected.ScoredFrom));
                var rejected = Assert.Single(pair.Rejected.Messages.Skip(1));
                Assert.Equal(ChatMessage.Assistant, rejected.Role);
                Assert.NotEqual(answer, rejected.Content);
                // The first later sense the rule allows, in WordNet's order: the next most frequent one.
                Assert.Equal(AsSentence(later.First(Eligible).Definition), rejected.Content);
            }
            Assert.All(pairs, p => Assert.Contains(questions, q => "pref-" + q.Id == p.Id));
        }
    }

    [Fact]
    public void Training_and_test_pairs_share_no_word_and_no_synset_and_reject_no_other_splits_answer()
    {
        var train = data.Train.Select(Facts).ToList();
        var test = data.Test.Select(Facts).ToList();
        Assert.Empty(train.Select(f => f.Word).Intersect(test.Select(f => f.Word)));
        Assert.Empty(train.SelectMany(f => f.Synsets).Intersect(test.SelectMany(f => f.Synsets)));

        // Nor is a rejected gloss what another split teaches as an answer (the aligned models' data included).
        var trainRejected = data.Train.Select(p => p.Rejected.Messages[1].Content).ToHashSet();
        var testRejected = data.Test.Select(p => p.Rejected.Messages[1].Content).ToHashSet();
        Assert.DoesNotContain(data.Splits.Aligned.Concat(data.Splits.Test), q => trainRejected.Contains(q.Messages[1].Content));
        Assert.DoesNotContain(data.Splits.Aligned.Concat(data.Splits.Train), q => testRejected.Contains(q.Messages[1].Content));
    }

    [Fact]
    public void Ids_are_unique_derived_from_the_question_and_the_same_when_built_again()
    {
        var all = data.Train.Concat(data.Test).ToList();
        Assert.Equal(all.Count, all.Select(p => p.Id).Distinct().Count());
        Assert.All(all, p => Assert.Matches("^pref-wn-[nvar][0-9]{8}$", p.Id));
        Assert.All(all, p => Assert.Equal((p.Id + PreferencePair.ChosenSuffix, p.Id + PreferencePair.RejectedSuffix), (p.Chosen.Id, p.Rejected.Id)));

        var splits = WordNetPreferenceFixture.BuildSplits(data.Database);
        Assert.Equal(Records(data.Train), Records(WordNetPreferences.Build(data.Database, splits, splits.Train)));
        Assert.Equal(Records(data.Test), Records(WordNetPreferences.Build(data.Database, splits, splits.Test)));
    }

    [Fact]
    public void The_jsonl_holds_one_string_record_a_pair_in_order()
    {
        using var temp = new TempDirectory();
        var path = temp.File(WordNetTasks.PreferenceTrainFile);
        WordNetPreferences.Write(path, data.Train);

        var lines = File.ReadAllLines(path);
        Assert.Equal(data.Train.Count, lines.Length);
        foreach (var (line, pair) in lines.Zip(data.Train))
        {
            using var record = JsonDocument.Parse(line);
            Assert.Equal(["id", "prompt", "chosen", "rejected"], record.RootElement.EnumerateObject().Select(p => p.Name));
            string Field(string name) => record.RootElement.GetProperty(name).GetString()!;
            Assert.Equal(pair.Id, Field("id"));
            Assert.Equal(pair.Chosen.Messages[0].Content, Field("prompt"));
            Assert.Equal(pair.Chosen.Messages[1].Content, Field("chosen"));
            Assert.Equal(pair.Rejected.Messages[1].Content, Field("rejected"));
        }
        Assert.Equal([path], System.IO.Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_pair_the_string_layout_cannot_hold_is_refused_and_no_file_is_left()
    {
        using var temp = new TempDirectory();
        ChatMessage user = new(ChatMessage.User, "Define 'dog'."), answer = new(ChatMessage.Assistant, "A canine.");
        var multiTurn = PreferencePair.Of("pref-x", [user, answer, user], [answer], [new ChatMessage(ChatMessage.Assistant, "A cat.")]);

        var error = Assert.Throws<ArgumentException>(() => WordNetPreferences.Write(temp.File("p.jsonl"), [multiTurn]));
        Assert.Contains("pref-x", error.Message);
        Assert.Empty(System.IO.Directory.GetFiles(temp.Path));
    }

    // The asked word from the question's text and its sense list from the index: the lemma whose first
    // sense is the question's synset, so the check does not rely on WordNetSplits.Asked.
    private (WordNetSynset Chosen, IReadOnlyList<WordNetSynset> Later) Senses(SftSample question)
    {
        var synsetId = question.Id["wn-".Length..];
        var lemma = data.LemmasByWord[Word(question)].Single(l => l.SynsetIds[0] == synsetId);
        return (data.Database.Synsets[synsetId], [.. lemma.SynsetIds.Skip(1).Select(id => data.Database.Synsets[id])]);
    }

    private (string Word, IReadOnlyList<string> Synsets) Facts(PreferencePair pair)
    {
        var question = new SftSample(pair.Id["pref-".Length..], pair.Chosen.Messages);
        var (chosen, later) = Senses(question);
        var rejected = later.First(s => AsSentence(s.Definition) == pair.Rejected.Messages[1].Content);
        return (Word(question), [chosen.Id, rejected.Id]);
    }

    private static string Records(IReadOnlyList<PreferencePair> pairs) =>
        string.Join('\n', pairs.Select(p => $"{p.Id}|{string.Join('|', p.Samples.SelectMany(s => s.Messages).Select(m => m.Role + ":" + m.Content))}"));

    private static string AsSentence(string definition) =>
        char.ToUpperInvariant(definition[0]) + definition[1..] + (definition[^1] is '.' or '!' or '?' ? "" : ".");

    private static string Word(SftSample sample) => QuotedWord().Match(sample.Messages[0].Content).Groups[1].Value;
}
