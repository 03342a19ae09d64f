namespace PoFT.Planner;

/// <summary>The memory available: <paramref name="Count"/> devices of <paramref name="BytesEach"/> each (for
/// the CPU, one: the host's memory).</summary>
public sealed record DeviceBudget(PlanDevice Device, int Count, long BytesEach);

/// <summary>What one device holds and whether it fits.</summary>
public sealed record DeviceLoad(int Index, IReadOnlyList<MemoryEstimate> Holds, long BytesAvailable)
{
    public long Total => Holds.Sum(h => h.Total);
    public bool Fits => Total <= BytesAvailable;
}

/// <summary>
/// Where the trainer and the aligned models go. Online training runs them side by side: the trainer on
/// device 0 and each aligned model's session on the device with the most room left, largest first (the
/// aligned models need not share the trainer's device). What fits nowhere is listed; the plan then also says
/// whether scoring first (`score`, one model at a time, then `train --scores`) would fit instead.
/// </summary>
public sealed record DevicePlan(IReadOnlyList<DeviceLoad> Devices, IReadOnlyList<MemoryEstimate> Unplaced, bool SequentialFits)
{
    public bool OnlineFits => Unplaced.Count == 0 && Devices.All(d => d.Fits);

    public static DevicePlan Place(MemoryEstimate trainer, IReadOnlyList<MemoryEstimate> scorers, DeviceBudget budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget.Count, 1);
        var holds = Enumerable.Range(0, budget.Count).Select(_ => new List<MemoryEstimate>()).ToList();
        holds[0].Add(trainer);
        var unplaced = new List<MemoryEstimate>();
        foreach (var scorer in scorers.OrderByDescending(s => s.Total))
        {
            var roomiest = Enumerable.Range(0, budget.Count).MaxBy(i => budget.BytesEach - holds[i].Sum(h => h.Total));
            if (budget.BytesEach - holds[roomiest].Sum(h => h.Total) >= scorer.Total)
                holds[roomiest].Add(scorer);
            else
                unplaced.Add(scorer);
        }
        var largest = scorers.Count == 0 ? 0 : scorers.Max(s => s.Total);
        var sequentialFits = trainer.Total <= budget.BytesEach && largest <= budget.BytesEach;
        return new DevicePlan([.. holds.Select((h, i) => new DeviceLoad(i, h, budget.BytesEach))], unplaced, sequentialFits);
    }
}
