using PoFT.Hybrid;
using PoFT.Exporter;
using PoFT.Exporter.Contract;
using PoFT.Exporter.Precision;
using PoFT.Scorer.Onnx;
using PoFT.Shared.Manifest;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using Xunit.Abstractions;

namespace PoFT.Tests.Export;

/// <summary>The backbone check: one architecture, two independent implementations (the TorchSharp module
/// and the exported ONNX graph) must agree on the same weights.</summary>
public sealed class TorchOrtParityTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void Onnx_runtime_and_TorchSharp_agree_to_1e_4_on_a_padded_batch(string variant)
    {
        var config = RandomCheckpoints.Config(variant);
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 31);
        var exported = _temp.Sub("onnx");
        LlamaOnnxExporter.Export(checkpoint, exported, new ExportOptions());
        using var torch = TorchTokenLogProbModel.Load(checkpoint, Placement.Cpu);
        using var ort = OrtTokenLogProbModel.Open(variant, Path.Combine(exported, "model.onnx"), new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { });

        var difference = ExportCheck.MaxRelativeDiff(ort, torch, config.VocabSize, seed: 5, batch: 6, maxLength: 40);

        Assert.InRange(difference, 0, ExportCheck.Tolerance);
    }

    /// <summary>The graph form CUDA's GroupQueryAttention takes (no attention_bias; seqlens_k, total_sequence_length,
    /// local_window_size, softcap) run by the CPU kernel in fp32, on right- and left-padded rows.</summary>
    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void The_sequence_length_form_of_the_fused_kernel_agrees_to_1e_4(string variant)
    {
        var config = RandomCheckpoints.Config(variant);
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 31);
        var exported = _temp.Sub("onnx");
        LlamaOnnxExporter.Export(checkpoint, exported, new ExportOptions { Attention = AttentionKernel.Fused, Masking = FusedMasking.Lengths });
        using var torch = TorchTokenLogProbModel.Load(checkpoint, Placement.Cpu);
        using var ort = OrtTokenLogProbModel.Open(variant, Path.Combine(exported, "model.onnx"), new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { });

        var difference = ExportCheck.MaxRelativeDiff(ort, torch, config.VocabSize, seed: 5, batch: 6, maxLength: 40);

        output.WriteLine($"{variant}: lengths form, fp32: max_rel_diff {difference:E2}");
        Assert.InRange(difference, 0, ExportCheck.Tolerance);
    }

    /// <summary>The CUDA export itself (fp16, sequence-length form), run here by ONNX Runtime's CPU provider: the
    /// graph a GPU would get computes the model, within fp16's export tolerance.</summary>
    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void The_fp16_CUDA_export_run_on_the_CPU_agrees_within_the_fp16_tolerance(string variant)
    {
        var config = RandomCheckpoints.Config(variant);
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 31);
        var exported = _temp.Sub("onnx");
        var precision = new ExportPrecision { Dtype = ExportDtype.Fp16 };
        var graph = LlamaOnnxExporter.Export(checkpoint, exported, new ExportOptions { Provider = ExecutionProvider.Cuda, Precision = precision });
        using var torch = TorchTokenLogProbModel.Load(checkpoint, Placement.Cpu);
        using var ort = OrtTokenLogProbModel.Open(variant, Path.Combine(exported, "model.onnx"), new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { });

        var difference = ExportCheck.MaxRelativeDiff(ort, torch, config.VocabSize, seed: 5, batch: 6, maxLength: 40);

        output.WriteLine($"{variant}: CUDA export, fp16, on the CPU provider: max_rel_diff {difference:E2}");
        Assert.Equal(AttentionKernel.Fused, graph.Attention);
        Assert.InRange(difference, 0, precision.VerifyTolerance);
    }

    [Fact]
    public void The_parity_measure_sees_a_wrong_weight()
    {
        var config = RandomCheckpoints.Config("gqa-tied");
        var checkpoint = RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 31);
        var other = RandomCheckpoints.Write(_temp.Sub("other"), config, seed: 32);
        var exported = _temp.Sub("onnx");
        LlamaOnnxExporter.Export(other, exported, new ExportOptions());
        using var torch = TorchTokenLogProbModel.Load(checkpoint, Placement.Cpu);
        using var ort = OrtTokenLogProbModel.Open("other", Path.Combine(exported, "model.onnx"), new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { });

        Assert.True(ExportCheck.MaxRelativeDiff(ort, torch, config.VocabSize, seed: 5) > 0.1);
    }
}
