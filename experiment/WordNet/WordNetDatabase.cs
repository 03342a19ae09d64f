using System.Globalization;

namespace PoFT.Experiment.WordNet;

/// <summary>One WordNet synset: its words (underscores as spaces, adjective markers removed), its
/// definition and its quoted usage examples.</summary>
public sealed record WordNetSynset(string Id, char PartOfSpeech, IReadOnlyList<string> Words, string Definition, IReadOnlyList<string> Examples);

/// <summary>One index entry: a lemma of one part of speech, how many of its senses were seen in the
/// semantically tagged corpus (a frequency rank), and its synsets, most frequent sense first.</summary>
public sealed record WordNetLemma(string Lemma, char PartOfSpeech, int TaggedSenses, IReadOnlyList<string> SynsetIds);

/// <summary>
/// The WordNet 3.0 database files (data.* and index.* for nouns, verbs, adjectives, adverbs) as
/// distributed by Princeton (format: wndb(5WN)). Synset ids are the part of speech of the file plus
/// the byte offset, e.g. "n02084071" for the first sense of "dog".
/// </summary>
public sealed class WordNetDatabase
{
    private static readonly (string File, char Pos)[] Parts = [("noun", 'n'), ("verb", 'v'), ("adj", 'a'), ("adv", 'r')];

    public IReadOnlyDictionary<string, WordNetSynset> Synsets { get; }
    public IReadOnlyList<WordNetLemma> Lemmas { get; }

    private WordNetDatabase(IReadOnlyDictionary<string, WordNetSynset> synsets, IReadOnlyList<WordNetLemma> lemmas) =>
        (Synsets, Lemmas) = (synsets, lemmas);

    public static WordNetDatabase Load(string directory)
    {
        var synsets = new Dictionary<string, WordNetSynset>();
        var lemmas = new List<WordNetLemma>();
        foreach (var (file, pos) in Parts)
        {
            foreach (var synset in ReadData(Path.Combine(directory, "data." + file), pos))
                synsets.Add(synset.Id, synset);
            lemmas.AddRange(ReadIndex(Path.Combine(directory, "index." + file), pos));
        }
        foreach (var lemma in lemmas)
        {
            var missing = lemma.SynsetIds.FirstOrDefault(id => !synsets.ContainsKey(id));
            if (missing is not null)
                throw new FormatException($"{directory}: index entry '{lemma.Lemma}' ({lemma.PartOfSpeech}) names synset {missing}, which no data file holds");
        }
        return new WordNetDatabase(synsets, lemmas);
    }

    // A data line: offset lex_filenum ss_type w_cnt(hex) [word lex_id]... p_cnt [pointer]... [frames] | gloss
    private static IEnumerable<WordNetSynset> ReadData(string path, char pos)
    {
        var number = 0;
        foreach (var line in Lines(path))
        {
            number++;
            // The licence header: every one of its lines starts with two spaces.
            if (line.StartsWith("  ", StringComparison.Ordinal))
                continue;
            var bar = line.IndexOf(" | ", StringComparison.Ordinal);
            var fields = (bar < 0 ? line : line[..bar]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (bar < 0 || fields.Length < 6 || !int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var wordCount)
                || wordCount < 1 || fields.Length < 4 + 2 * wordCount || !long.TryParse(fields[0], CultureInfo.InvariantCulture, out var offset))
                throw new FormatException($"{path}:{number}: expected 'offset lex_filenum ss_type w_cnt word lex_id ... | gloss'");
            var words = Enumerable.Range(0, wordCount).Select(i => Word(fields[4 + 2 * i])).ToList();
            var (definition, examples) = SplitGloss(line[(bar + 3)..]);
            yield return new WordNetSynset(Id(pos, offset), pos, words, definition, examples);
        }
    }

    // An index line: lemma pos synset_cnt p_cnt [ptr_symbol]... sense_cnt tagsense_cnt [synset_offset]...
    private static IEnumerable<WordNetLemma> ReadIndex(string path, char pos)
    {
        var number = 0;
        foreach (var line in Lines(path))
        {
            number++;
            if (line.StartsWith("  ", StringComparison.Ordinal))
                continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int synsetCount = 0, pointerCount = 0, tagged = 0;
            var valid = fields.Length >= 6
                && int.TryParse(fields[2], CultureInfo.InvariantCulture, out synsetCount)
                && int.TryParse(fields[3], CultureInfo.InvariantCulture, out pointerCount)
                && fields.Length == 6 + pointerCount + synsetCount
                && int.TryParse(fields[5 + pointerCount], CultureInfo.InvariantCulture, out tagged);
            if (!valid)
                throw new FormatException($"{path}:{number}: expected 'lemma pos synset_cnt p_cnt [ptr]... sense_cnt tagsense_cnt [offset]...'");
            var offsets = fields[(6 + pointerCount)..].Select(f => long.TryParse(f, CultureInfo.InvariantCulture, out var o) ? o
                : throw new FormatException($"{path}:{number}: synset offset '{f}' is not a number"));
            yield return new WordNetLemma(fields[0].Replace('_', ' '), pos, tagged, [.. offsets.Select(o => Id(pos, o))]);
        }
    }

    private static IEnumerable<string> Lines(string path) => File.Exists(path)
        ? File.ReadLines(path)
        : throw new FileNotFoundException($"{path}: WordNet file not found (scripts/fetch-assets.sh fetches WordNet 3.0)", path);

    // Adjective satellites ('s') live in data.adj: the id's letter is the file's, as in the index.
    private static string Id(char pos, long offset) => string.Create(CultureInfo.InvariantCulture, $"{pos}{offset:D8}");

    // "galore(ip)" -> "galore": adjective position markers are not part of the word.
    private static string Word(string field)
    {
        var marker = field.IndexOf('(');
        return (marker > 0 ? field[..marker] : field).Replace('_', ' ');
    }

    // A gloss is the definition, then optional quoted examples, separated by "; ".
    private static (string Definition, IReadOnlyList<string> Examples) SplitGloss(string gloss)
    {
        gloss = gloss.Trim();
        var firstExample = gloss.IndexOf("; \"", StringComparison.Ordinal);
        if (firstExample < 0)
            return (gloss.TrimEnd(';', ' '), []);
        var examples = gloss[(firstExample + 2)..].Split("; ", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Trim().Trim('"').Trim()).Where(e => e.Length > 0).ToList();
        return (gloss[..firstExample].TrimEnd(';', ' '), examples);
    }
}
