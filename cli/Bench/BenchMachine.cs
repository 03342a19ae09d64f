using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace PoFT.Cli.Bench;

/// <summary>What the figures were measured on: they mean little without it.</summary>
public sealed record BenchMachine(string Cpu, int Cores, long MemoryBytes, string OnnxRuntime, string TorchSharp, int OrtIntraOpThreads, int TorchThreads)
{
    public static BenchMachine Describe(int threads) => new(
        CpuModel(),
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        OrtEnv.Instance().GetVersionString(),
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        threads,
        torch.get_num_threads());

    /// <summary>The CPU's model name from /proc/cpuinfo, "unknown" where there is none.</summary>
    public static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
            return "unknown";
        var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim() ?? "unknown";
    }
}
