namespace PoFT.Trainer.Training;

/// <summary>The order samples are trained in: a fresh permutation each epoch, a pure function of
/// (seed, epoch), so a resumed run sees exactly the order the interrupted one would have.</summary>
public sealed class EpochSampler(int count, int seed)
{
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        // Not HashCode.Combine: it is salted per process, and the order must be the same in every run.
        new Random(unchecked(seed * 1_000_003 + epoch) & int.MaxValue).Shuffle(order);
        return order;
    }
}
