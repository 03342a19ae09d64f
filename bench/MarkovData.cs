namespace PoFT.Bench;

/// <summary>
/// Token sequences from a seeded first-order Markov chain: each of <c>activeTokens</c> ids is followed by one of
/// its own <c>successors</c> ids, uniformly. Unlike <see cref="SyntheticData.Create(int[], int, int, double)"/>'s
/// uniform noise this is learnable, so held-out cross-entropy falls from ln(vocabulary) towards ln(successors) as
/// a model trains, and two trainings can be compared by it.
/// </summary>
public static class MarkovData
{
    /// <param name="count">Samples, each 64 to <paramref name="maxLength"/> tokens.</param>
    /// <param name="chainSeed">Draws the chain: the same for a training set and its held-out set.</param>
    /// <param name="seed">Draws the samples.</param>
    public static SyntheticData Create(int count, int maxLength, int vocabularySize, int activeTokens, int successors, int chainSeed, int seed)
    {
        var chain = new Random(chainSeed);
        var active = Enumerable.Range(0, activeTokens).Select(_ => chain.Next(vocabularySize)).ToArray();
        var next = active.Select(_ => Enumerable.Range(0, successors).Select(_ => chain.Next(activeTokens)).ToArray()).ToArray();
        var random = new Random(seed);
        return SyntheticData.FromSequences([.. Enumerable.Range(0, count).Select(_ =>
        {
            var state = random.Next(activeTokens);
            return Enumerable.Range(0, random.Next(64, maxLength + 1)).Select(_ =>
            {
                var id = active[state];
                state = next[state][random.Next(successors)];
                return id;
            }).ToArray();
        })]);
    }
}
