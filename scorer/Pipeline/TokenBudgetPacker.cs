namespace PoFT.Scorer.Pipeline;

/// <summary>
/// Groups samples into batches whose padded size (samples × longest sample) stays within a token budget —
/// and, when given, whose scored tokens stay within a second budget — with as little padding as possible:
/// the reference implementation instead pads every sample to 4096.
/// </summary>
public static class TokenBudgetPacker
{
    /// <summary>What one more batch costs, in padded tokens: it keeps the packer from splitting a window into
    /// many tiny batches to save a few tokens of padding (each run has a fixed overhead).</summary>
    public const int BatchCostTokens = 64;

    /// <param name="scored">Each sample's scored tokens (the rows its logits take when the LM head runs only
    /// where scored); null when only the padded size counts.</param>
    /// <returns>Batches of indices into <paramref name="lengths"/>; a sample over a budget gets a batch of its own.</returns>
    public static List<int[]> Pack(IReadOnlyList<int> lengths, int tokenBudget, IReadOnlyList<int>? scored = null, int scoredBudget = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scoredBudget, 1);
        if (scored is not null && scored.Count != lengths.Count)
            throw new ArgumentException($"{scored.Count} scored counts for {lengths.Count} samples", nameof(scored));
        // In length order, an optimal batching under the padded budget alone is a set of contiguous runs.
        // cost[j] is the least padded size of the first j samples; a run i..j−1 costs its size × its longest
        // (the first, sorted descending). The scored budget is a sum over the run, so it too only grows as a
        // run grows, and the search stays exact over contiguous runs (with both budgets a non-contiguous
        // batching could occasionally pad less; the length order is what keeps padding low).
        var order = Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]).ToArray();
        var n = order.Length;
        var cost = new long[n + 1];
        var start = new int[n + 1];
        for (var j = 1; j <= n; j++)
        {
            cost[j] = long.MaxValue;
            long scoredInRun = 0;
            for (var i = j - 1; i >= 0; i--)
            {
                long longest = lengths[order[i]];
                scoredInRun += scored?[order[i]] ?? 0;
                if (i < j - 1 && ((j - i) * longest > tokenBudget || scoredInRun > scoredBudget))
                    break;
                var candidate = cost[i] + (j - i) * longest + BatchCostTokens;
                if (candidate < cost[j])
                    (cost[j], start[j]) = (candidate, i);
            }
        }
        var batches = new List<int[]>();
        for (var j = n; j > 0; j = start[j])
            batches.Add(order[start[j]..j]);
        batches.Reverse();
        return batches;
    }
}
