namespace PoFT.Trainer.Training;

/// <summary>Lays samples into rows of a fixed width, several to a row, leaving as little of each row empty as
/// it simply can.</summary>
public static class RowPacker
{
    /// <summary>
    /// First-fit decreasing: longest first, each into the first row with room. A micro-batch is a handful of
    /// samples and the width is its longest sample's length, so the rows are few and nearly full; an exact packer
    /// would save at most a row now and then (first-fit decreasing needs at most 11/9 of the optimum + 1) for
    /// a search whose cost grows exponentially with the samples.
    /// </summary>
    /// <returns>The samples' indices in each row, in the order they lie in it. Deterministic: equal lengths
    /// keep their order.</returns>
    public static List<List<int>> FirstFitDecreasing(IReadOnlyList<int> lengths, int width)
    {
        var rows = new List<List<int>>();
        var free = new List<int>();
        foreach (var sample in Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]))
        {
            if (lengths[sample] > width)
                throw new ArgumentException($"sample {sample} has {lengths[sample]} tokens, more than the rows' {width}");
            var row = free.FindIndex(room => room >= lengths[sample]);
            if (row < 0)
            {
                rows.Add([]);
                free.Add(width);
                row = rows.Count - 1;
            }
            rows[row].Add(sample);
            free[row] -= lengths[sample];
        }
        return rows;
    }
}
