using System.Text.RegularExpressions;
using PoFT.Shared.Data;

namespace PoFT.Experiment.WordNet;

/// <summary>The demo's data: definition questions for three disjoint sets of words (aligned models,
/// target training, held-out test) and unlabelled pre-training text from the synsets none of them use.</summary>
/// <param name="Asked">The index entry each question asks about, by sample id: its word, part of speech and
/// senses, which the question's text alone does not pin down (a synset has several words; a word several
/// parts of speech).</param>
public sealed record WordNetSplits(IReadOnlyList<SftSample> Aligned, IReadOnlyList<SftSample> Train, IReadOnlyList<SftSample> Test, IReadOnlyList<string> PretrainText,
    IReadOnlyDictionary<string, WordNetLemma> Asked);

/// <summary>
/// Turns WordNet into SFT data: "What does the word 'dog' mean?" answered with the gloss of the word's
/// most frequent sense. Words are single lower-case lemmas ranked by how often their senses were tagged
/// in the Brown corpus (so the questions are about common words); each word and each synset is used
/// once, which keeps the splits disjoint in both.
/// </summary>
public static partial class WordNetTasks
{
    public const string AlignedFile = "aligned.jsonl";
    public const string TrainFile = "train-clean.jsonl";
    public const string TestFile = "test.jsonl";
    public const string PretrainFile = "pretrain.jsonl";
    public const string LicenceFile = "WORDNET-LICENSE";
    public const string PreferenceTrainFile = "preferences-train.jsonl";
    public const string PreferenceTestFile = "preferences-test.jsonl";

    private const int MinDefinitionWords = 3;
    private const int MaxDefinitionWords = 40;

    private static readonly string[] Phrasings =
    [
        "What does the word '{0}' mean?",
        "What is the meaning of '{0}'?",
        "Define the word '{0}'.",
        "Give a short definition of '{0}'.",
    ];

    [GeneratedRegex("^[a-z]{3,}$")]
    private static partial Regex SimpleWord();

    public static WordNetSplits Build(WordNetDatabase database, int aligned, int train, int test, int seed, int pretrainDocuments)
    {
        var needed = aligned + train + test;
        var usedWords = new HashSet<string>();
        var usedSynsets = new HashSet<string>();
        var chosen = new List<(WordNetLemma Lemma, WordNetSynset Synset)>();
        var ranked = database.Lemmas
            .Where(l => l.TaggedSenses > 0 && SimpleWord().IsMatch(l.Lemma))
            .OrderByDescending(l => l.TaggedSenses).ThenBy(l => l.Lemma, StringComparer.Ordinal).ThenBy(l => l.PartOfSpeech);
        foreach (var lemma in ranked)
        {
            if (chosen.Count == needed)
                break;
            var synset = database.Synsets[lemma.SynsetIds[0]];
            if (!HasUsableLength(synset.Definition) || usedWords.Contains(lemma.Lemma) || !usedSynsets.Add(synset.Id))
                continue;
            usedWords.Add(lemma.Lemma);
            chosen.Add((lemma, synset));
        }
        if (chosen.Count < needed)
            throw new ArgumentException($"WordNet has {chosen.Count} usable words; {needed} were asked for ({aligned} aligned + {train} train + {test} test)");

        var random = new Random(seed);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(chosen));
        var samples = chosen.Select(c => Question(c.Lemma.Lemma, c.Synset, random)).ToList();

        var documents = database.Synsets.Values
            .Where(s => !usedSynsets.Contains(s.Id) && !s.Words.Any(w => usedWords.Contains(w.ToLowerInvariant())))
            .OrderBy(s => s.Id, StringComparer.Ordinal).ToArray();
        random.Shuffle(documents);
        if (documents.Length < pretrainDocuments)
            throw new ArgumentException($"WordNet has {documents.Length} synsets left for pre-training; {pretrainDocuments} were asked for");

        return new WordNetSplits(samples[..aligned], samples[aligned..(aligned + train)], samples[(aligned + train)..],
            [.. documents.Take(pretrainDocuments).Select(Document)], chosen.ToDictionary(c => SampleId(c.Synset), c => c.Lemma));
    }

    /// <summary>Writes the splits as chat JSONL (pre-training text as responses with no prompt) and the WordNet licence beside them.</summary>
    public static void WriteDataSet(string directory, WordNetSplits splits, string wordNetDirectory)
    {
        Directory.CreateDirectory(directory);
        SftDataWriter.WriteJsonLines(Path.Combine(directory, AlignedFile), splits.Aligned);
        SftDataWriter.WriteJsonLines(Path.Combine(directory, TrainFile), splits.Train);
        SftDataWriter.WriteJsonLines(Path.Combine(directory, TestFile), splits.Test);
        SftDataWriter.WriteJsonLines(Path.Combine(directory, PretrainFile),
            splits.PretrainText.Select((text, i) => new SftSample($"doc-{i}", [new ChatMessage(ChatMessage.Assistant, text)])));
        File.Copy(Path.Combine(wordNetDirectory, "LICENSE"), Path.Combine(directory, LicenceFile), overwrite: true);
    }

    private static SftSample Question(string word, WordNetSynset synset, Random random) => new(
        SampleId(synset),
        [
            new ChatMessage(ChatMessage.User, string.Format(System.Globalization.CultureInfo.InvariantCulture, Phrasings[random.Next(Phrasings.Length)], word)),
            new ChatMessage(ChatMessage.Assistant, Sentence(synset.Definition)),
        ]);

    private static string Document(WordNetSynset synset) =>
        string.Join(' ', [$"{string.Join(", ", synset.Words)}: {Sentence(synset.Definition)}", .. synset.Examples.Select(Sentence)]);

    private static string SampleId(WordNetSynset synset) => "wn-" + synset.Id;

    /// <summary>Whether a definition is long enough to say something and short enough to fit the demo's sequences.</summary>
    internal static bool HasUsableLength(string definition) =>
        definition.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is >= MinDefinitionWords and <= MaxDefinitionWords;

    internal static string Sentence(string text) =>
        char.ToUpperInvariant(text[0]) + text[1..] + (text[^1] is '.' or '!' or '?' ? "" : ".");
}
