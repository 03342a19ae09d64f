namespace PoFT.Planner;

/// <summary>One part of a predicted peak: what it is and its size in bytes.</summary>
public sealed record MemoryPart(string Name, long Bytes);

/// <summary>A predicted peak, as the sum of its parts, for one process on one device.</summary>
public sealed record MemoryEstimate(string Name, IReadOnlyList<MemoryPart> Parts)
{
    public long Total => Parts.Sum(p => p.Bytes);

    public static string Format(long bytes) => bytes >= 1L << 30
        ? $"{bytes / (double)(1L << 30):F1} GiB"
        : $"{bytes / (double)(1L << 20):F0} MiB";
}
