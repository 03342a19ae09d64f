using System.Text.RegularExpressions;
using PoFT.Experiment.WordNet;
using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Experiment;

public sealed class WordNetFixture
{
    public string Directory { get; } = RepoPaths.Tokenizer("wordnet");
    public WordNetDatabase Database { get; }

    public WordNetFixture() => Database = WordNetDatabase.Load(Directory);
}

public partial class WordNetTests(WordNetFixture wordNet) : IClassFixture<WordNetFixture>
{
    [GeneratedRegex("'([a-z]+)'")]
    private static partial Regex QuotedWord();

    [Fact]
    public void The_database_holds_WordNet_3_0s_synsets_and_lemmas()
    {
        // Published WordNet 3.0 statistics (wnstats(7WN)): synsets and unique strings per part of speech.
        var synsets = wordNet.Database.Synsets.Values.GroupBy(s => s.PartOfSpeech).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(82115, synsets['n']);
        Assert.Equal(13767, synsets['v']);
        Assert.Equal(18156, synsets['a']);
        Assert.Equal(3621, synsets['r']);
        var lemmas = wordNet.Database.Lemmas.GroupBy(l => l.PartOfSpeech).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(117798, lemmas['n']);
        Assert.Equal(11529, lemmas['v']);
        Assert.Equal(21479, lemmas['a']);
        Assert.Equal(4481, lemmas['r']);

        var dog = wordNet.Database.Lemmas.Single(l => l.Lemma == "dog" && l.PartOfSpeech == 'n');
        var first = wordNet.Database.Synsets[dog.SynsetIds[0]];
        Assert.Equal("n02084071", first.Id);
        Assert.Equal(["dog", "domestic dog", "Canis familiaris"], first.Words);
        Assert.StartsWith("a member of the genus Canis", first.Definition);
        Assert.EndsWith("occurs in many breeds", first.Definition);
        Assert.Equal(["the dog barked all night"], first.Examples);
    }

    [Fact]
    public void A_malformed_data_line_is_an_error_naming_the_file_and_line()
    {
        using var temp = new TempDirectory();
        foreach (var file in System.IO.Directory.GetFiles(wordNet.Directory))
            File.Copy(file, temp.File(Path.GetFileName(file)));
        var verbs = File.ReadAllLines(temp.File("data.verb"));
        var line = Array.FindIndex(verbs, l => !l.StartsWith("  ", StringComparison.Ordinal)) + 5;
        verbs[line] = verbs[line].Replace(" | ", " ");
        File.WriteAllLines(temp.File("data.verb"), verbs);

        var error = Assert.Throws<FormatException>(() => WordNetDatabase.Load(temp.Path));
        Assert.Contains($"data.verb:{line + 1}:", error.Message);
    }

    [Fact]
    public void Splits_are_disjoint_in_words_and_synsets_and_answer_with_the_first_senses_gloss()
    {
        var splits = WordNetTasks.Build(wordNet.Database, aligned: 300, train: 200, test: 100, seed: 5, pretrainDocuments: 500);
        Assert.Equal((300, 200, 100, 500), (splits.Aligned.Count, splits.Train.Count, splits.Test.Count, splits.PretrainText.Count));

        IReadOnlyList<SftSample>[] sets = [splits.Aligned, splits.Train, splits.Test];
        var words = sets.Select(s => s.Select(Word).ToHashSet()).ToList();
        var ids = sets.Select(s => s.Select(x => x.Id).ToHashSet()).ToList();
        for (var a = 0; a < 3; a++)
            for (var b = a + 1; b < 3; b++)
            {
                Assert.Empty(words[a].Intersect(words[b]));
                Assert.Empty(ids[a].Intersect(ids[b]));
            }

        var firstSenses = wordNet.Database.Lemmas.ToLookup(l => l.Lemma);
        foreach (var sample in sets.SelectMany(s => s))
        {
            var synset = wordNet.Database.Synsets[sample.Id["wn-".Length..]];
            // The synset is the most frequent sense of the asked word in one of its parts of speech.
            Assert.Contains(firstSenses[Word(sample)], l => l.SynsetIds[0] == synset.Id);
            // The answer is the definition as a sentence: capitalised, a full stop added where it has none.
            var answer = sample.Messages[1].Content;
            Assert.Equal(char.ToUpperInvariant(synset.Definition[0]) + synset.Definition[1..], answer[..synset.Definition.Length]);
            Assert.InRange(answer.Length - synset.Definition.Length, 0, 1);
        }

        // The pre-training text never defines a word the tasks ask about.
        var asked = words.SelectMany(w => w).ToHashSet();
        Assert.All(splits.PretrainText, doc => Assert.DoesNotContain(doc[..doc.IndexOf(": ", StringComparison.Ordinal)].Split(", "), asked.Contains));
    }

    [Fact]
    public void The_seed_decides_the_split_and_the_same_seed_repeats_it()
    {
        string Ids(int seed) => string.Join(",", WordNetTasks.Build(wordNet.Database, 50, 50, 50, seed, 10).Test.Select(s => s.Id));
        Assert.Equal(Ids(1), Ids(1));
        Assert.NotEqual(Ids(1), Ids(2));
    }

    [Fact]
    public void The_data_set_is_written_as_chat_jsonl_with_the_licence_beside_it()
    {
        using var temp = new TempDirectory();
        var splits = WordNetTasks.Build(wordNet.Database, 30, 20, 10, seed: 1, pretrainDocuments: 40);
        WordNetTasks.WriteDataSet(temp.Path, splits, wordNet.Directory);

        Assert.Equal(splits.Train.Select(s => s.Messages[1].Content), SftDataSet.Read(temp.File(WordNetTasks.TrainFile)).Samples.Select(s => s.Messages[1].Content));
        Assert.Equal(30, SftDataSet.Read(temp.File(WordNetTasks.AlignedFile)).Samples.Count);
        Assert.Equal(10, SftDataSet.Read(temp.File(WordNetTasks.TestFile)).Samples.Count);
        var documents = SftDataSet.Read(temp.File(WordNetTasks.PretrainFile)).Samples;
        Assert.Equal(splits.PretrainText, documents.Select(d => d.Messages.Single(m => m.Role == ChatMessage.Assistant).Content));
        Assert.Contains("WordNet 3.0 Copyright 2006 by Princeton University", File.ReadAllText(temp.File(WordNetTasks.LicenceFile)));
    }

    private static string Word(SftSample sample) => QuotedWord().Match(sample.Messages[0].Content).Groups[1].Value;
}
