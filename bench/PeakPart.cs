namespace PoFT.Bench;

/// <summary>Part 1: the machine's fp32 GEMM peak through MLAS (ONNX Runtime) and libtorch, interleaved.</summary>
public static class PeakPart
{
    public const string Ort = "peak.ort_gemm";
    public const string Torch = "peak.torch_gemm";

    public static void Run(BenchReport report)
    {
        var size = report.Settings.Quick ? 256 : 2048;
        using var probe = new GemmProbe(size, size, size, report.Settings.Threads);
        var (ort, torch) = report.Settings.Measurement.Interleave(probe.OrtSeconds, probe.TorchSeconds);
        var shape = $"{size}×{size}×{size} fp32";
        var ortPeak = report.Add("peak", Ort, $"GEMM {shape}, ONNX Runtime (MLAS)", "GFLOP/s", ort.Map(probe.GigaflopsPerSecond));
        var torchPeak = report.Add("peak", Torch, $"GEMM {shape}, libtorch", "GFLOP/s", torch.Map(probe.GigaflopsPerSecond));
        report.Compare("peak.ort_over_torch", "MLAS / libtorch GEMM", ortPeak, torchPeak);
    }
}
