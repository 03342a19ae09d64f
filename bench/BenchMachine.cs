using Microsoft.ML.OnnxRuntime;
using PoFT.Shared.Provenance;
using TorchSharp;

namespace PoFT.Bench;

/// <summary>What the figures were measured on: they mean little without it.</summary>
public sealed record BenchMachine(string Cpu, int Cores, long MemoryBytes, string OnnxRuntime, string TorchSharp, int OrtIntraOpThreads, int TorchThreads)
{
    public static BenchMachine Describe(int threads) => new(
        CpuModel.Name(),
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        OrtEnv.Instance().GetVersionString(),
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        threads,
        torch.get_num_threads());
}
