using System.Diagnostics;
using System.Globalization;
using PoFT.Exporter;
using PoFT.Scorer.Onnx;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

/// <summary>
/// The GPU build of the scorer (<c>-p:PoftGpu=true</c>: Microsoft.ML.OnnxRuntime.Gpu) compiled here and run on
/// a machine without CUDA: a model that asks for CUDA must warn and score on CPU, exactly as the CPU build
/// scores. Slow (≈ 30–60 s on 2 cores: a restore and a build of the scorer into a folder of its own, so the
/// suite's own CPU build is never touched); needs nuget.org for the GPU package like any first build.
/// </summary>
[Trait("Category", "GpuBuild")]
public sealed class GpuPackageBuildTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_GPU_build_of_the_scorer_falls_back_to_CPU_without_CUDA_and_scores_as_the_CPU_build()
    {
        var config = RandomCheckpoints.Config("gqa-tied");
        var exported = _temp.Sub("onnx");
        LlamaOnnxExporter.Export(RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 12), exported, new ExportOptions());
        var modelPath = Path.Combine(exported, ScoringGraph.ModelFile);
        var artifacts = _temp.Sub("artifacts");

        var build = await Run("dotnet", "build", Path.Combine(RepoPaths.Root, "build", "GpuScoreProbe", "GpuScoreProbe.csproj"),
            "-c", "Release", "-p:PoftGpu=true", $"-p:ArtifactsPath={artifacts}", "--nologo", "-v", "quiet");
        Assert.True(build.ExitCode == 0, build.Output + build.Error);
        var output = Path.Combine(artifacts, "bin", "GpuScoreProbe", "release");
        // The GPU package's native half, not the CPU one's: it carries the CUDA provider library.
        Assert.True(File.Exists(Path.Combine(output, "runtimes", "linux-x64", "native", "libonnxruntime_providers_cuda.so")), "no CUDA provider library in the GPU build");

        var gpu = await Run("dotnet", Path.Combine(output, "GpuScoreProbe.dll"), modelPath, "cuda", config.VocabSize.ToString(CultureInfo.InvariantCulture));

        Assert.True(gpu.ExitCode == 0, gpu.Output + gpu.Error);
        Assert.Contains("CUDA requested but unavailable", gpu.Error);
        var lines = gpu.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("provider=CPUExecutionProvider", lines[0]);
        Assert.Equal("onnxruntime=1.31.0.0", lines[1]);
        var gpuScores = lines[2..].Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        var cpuScores = CpuScores(modelPath, config.VocabSize);
        Assert.Equal(cpuScores.Length, gpuScores.Length);
        Assert.Contains(cpuScores, s => s < -1f);
        // Both builds run the same MLAS CPU kernels (ONNX Runtime 1.31.0 there, 1.31.1 here): equal to the bit,
        // or within fp32 rounding if a patch release reordered a sum.
        Assert.All(cpuScores.Zip(gpuScores), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-6f * Math.Max(1f, Math.Abs(p.First)), $"{p.First} vs {p.Second}"));
    }

    // The probe's batch (build/GpuScoreProbe/Program.cs), scored by this test process's CPU build.
    private static float[] CpuScores(string modelPath, int vocab)
    {
        var (batch, seq) = (2, 12);
        var ids = new long[batch * seq];
        var mask = new long[batch * seq];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = (i * 7 + 3) % vocab;
            mask[i] = i < seq || i % seq < 8 ? 1 : 0;
        }
        using var model = OrtTokenLogProbModel.Open("cpu", modelPath, new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { });
        var output = new float[batch * (seq - 1)];
        model.TokenLogProbs(ids, mask, batch, seq, output);
        return output;
    }

    private static async Task<PoftProcess.Result> Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // The child builds and runs on its own: no MSBuild node reuse, no inherited test-host variables.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var (output, error) = (child.StandardOutput.ReadToEndAsync(), child.StandardError.ReadToEndAsync());
        await child.WaitForExitAsync();
        return new PoftProcess.Result(child.ExitCode, await output, await error);
    }
}
