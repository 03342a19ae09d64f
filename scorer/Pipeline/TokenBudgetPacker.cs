namespace PoFT.Scorer.Pipeline;

/// <summary>
/// Groups samples into batches whose padded size (samples × longest sample) stays within a token budget.
/// Samples are sorted by length first, so each batch holds samples of similar length and padding stays
/// small; the reference implementation instead pads every sample to 4096 tokens.
/// </summary>
public static class TokenBudgetPacker
{
    /// <returns>Batches of indices into <paramref name="lengths"/>; a sample longer than the budget gets a
    /// batch of its own.</returns>
    public static List<int[]> Pack(IReadOnlyList<int> lengths, int tokenBudget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        var order = Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]).ToArray();
        var batches = new List<int[]>();
        var start = 0;
        while (start < order.Length)
        {
            // Sorted descending: the first sample of a batch is its longest.
            var longest = lengths[order[start]];
            var size = Math.Max(1, tokenBudget / Math.Max(1, longest));
            var count = Math.Min(size, order.Length - start);
            batches.Add(order[start..(start + count)]);
            start += count;
        }
        return batches;
    }
}
