namespace PoFT.Shared.Provenance;

/// <summary>The machine a figure was measured on, as benchmarks and the experiment's report state it.</summary>
public static class CpuModel
{
    /// <summary>The CPU's model name from /proc/cpuinfo, "unknown" where there is none.</summary>
    public static string Name()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
            return "unknown";
        var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim() ?? "unknown";
    }
}
