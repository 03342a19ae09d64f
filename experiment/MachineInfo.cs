using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using PoFT.Shared.Provenance;
using PoFT.Experiment.Report;

namespace PoFT.Experiment;

/// <summary>What a result was measured with: library versions and the machine.</summary>
public static class MachineInfo
{
    public static IReadOnlyList<LibraryVersion> Versions() =>
    [
        new("PoFT.Hybrid", Version(typeof(MachineInfo).Assembly)),
        new(".NET", RuntimeInformation.FrameworkDescription),
        new("TorchSharp", Version(typeof(TorchSharp.torch).Assembly)),
        new("libtorch", TorchSharp.torch.__version__),
        new("ONNX Runtime", OrtEnv.Instance().GetVersionString()),
        new("Microsoft.ML.Tokenizers", Version(typeof(Microsoft.ML.Tokenizers.Tokenizer).Assembly)),
        new("ScottPlot", Version(typeof(ScottPlot.Plot).Assembly)),
    ];

    public static string Describe()
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({CpuModel.Name()}), {memory:F0} GiB, {RuntimeInformation.OSDescription}, no GPU used";
    }

    private static string Version(Assembly assembly) =>
        (assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?").Split('+')[0];
}
