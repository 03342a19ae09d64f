using PoFT.Text.Chat;
using PoFT.Shared.Data;

namespace PoFT.Bench;

/// <summary>
/// Samples of random token ids with the lengths of a <see cref="LengthMix"/>, already tokenized: the
/// benchmarks measure model throughput, so tokenization is a dictionary lookup (by default the first third of
/// each sample is prompt, the rest response).
/// </summary>
public sealed class SyntheticData
{
    /// <summary>The share of a sample's next-token predictions that are scored: those of its response.</summary>
    public const double ResponseShare = 2.0 / 3;

    private readonly Dictionary<string, TokenizedSample> _tokenized;

    public IReadOnlyList<SftSample> Samples { get; }

    public long Tokens { get; }

    private SyntheticData(List<TokenizedSample> tokenized)
    {
        _tokenized = tokenized.ToDictionary(t => t.Id, StringComparer.Ordinal);
        Samples = [.. tokenized.Select(t => new SftSample(t.Id, []))];
        Tokens = tokenized.Sum(t => (long)t.TokenIds.Length);
    }

    /// <param name="responseShare">The share of each sample that is response (scored), at its end.</param>
    public static SyntheticData Create(int[] lengths, int vocabularySize, int seed, double responseShare = ResponseShare)
    {
        var random = new Random(seed);
        return new SyntheticData([.. lengths.Select((length, i) =>
        {
            var ids = new int[length];
            for (var t = 0; t < length; t++)
                ids[t] = random.Next(vocabularySize);
            var promptLength = Math.Min(length - 1, (int)Math.Round(length * (1 - responseShare)));
            return new TokenizedSample($"b{i}", ids, [.. Enumerable.Range(0, length).Select(t => t >= promptLength)]);
        })]);
    }

    /// <summary>Samples of the given token ids, the first third of each prompt and the rest response.</summary>
    public static SyntheticData FromSequences(IReadOnlyList<int[]> sequences, double responseShare = ResponseShare) =>
        new([.. sequences.Select((ids, i) =>
        {
            var promptLength = Math.Min(ids.Length - 1, (int)Math.Round(ids.Length * (1 - responseShare)));
            return new TokenizedSample($"b{i}", ids, [.. Enumerable.Range(0, ids.Length).Select(t => t >= promptLength)]);
        })]);

    public static SyntheticData Create(LengthMix mix, int count, int vocabularySize, int seed, double responseShare = ResponseShare) =>
        Create(mix.Draw(count, new Random(seed)), vocabularySize, seed + 1, responseShare);

    public IReadOnlyList<TokenizedSample> Tokenized => [.. Samples.Select(Tokenize)];

    public TokenizedSample Tokenize(SftSample sample) => _tokenized[sample.Id];
}
