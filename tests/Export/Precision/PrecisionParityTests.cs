using PoFT.Exporter;
using PoFT.Exporter.Precision;
using PoFT.Hybrid;
using PoFT.Scorer.Onnx;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using Xunit.Abstractions;

namespace PoFT.Tests.Export.Precision;

/// <summary>
/// Quantized and fp16 exports against TorchSharp on the random checkpoints of every supported shape. Two
/// references: the fp32 model of the dequantized weights (<see cref="QuantizedCheckpoints"/>), which the
/// quantized graph must match as tightly as fp32 matches fp32 — any layout or scale error is far outside; and
/// the original fp32 model, whose drift is the quantization's own, bounded by the precision's
/// <see cref="ExportPrecision.VerifyTolerance"/>.
/// </summary>
public sealed class PrecisionParityTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Measured ≤ 1e-6 over the variants and both bit widths (a swapped nibble order: 0.74): the
    /// dequantized weights are exact in fp32, so what is left is MLAS's summation order against libtorch's.</summary>
    private const double DequantizedTolerance = 1e-5;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static readonly TheoryData<string, string> QuantizedCases = Cases("int8", "int4");

    /// <summary>Every quantization under every graph variant (attention fused or primitive, LM head where scored
    /// or everywhere), on one model shape; the shapes themselves are covered with the default graph above.</summary>
    public static TheoryData<string, AttentionKernel, HeadPositions> QuantizedGraphCases()
    {
        var data = new TheoryData<string, AttentionKernel, HeadPositions>();
        foreach (var quantization in new[] { "int8", "int4" })
            foreach (var attention in Enum.GetValues<AttentionKernel>())
                foreach (var head in Enum.GetValues<HeadPositions>())
                    data.Add(quantization, attention, head);
        return data;
    }

    [Theory]
    [MemberData(nameof(QuantizedCases))]
    public void A_quantized_export_equals_the_fp32_model_of_its_dequantized_weights(string variant, string quantization) =>
        QuantizedParity(variant, quantization, new ExportOptions());

    [Theory]
    [MemberData(nameof(QuantizedGraphCases))]
    public void A_quantized_export_of_every_graph_variant_equals_the_fp32_model_of_its_dequantized_weights(string quantization, AttentionKernel attention, HeadPositions head) =>
        QuantizedParity("gqa-untied-llama3-rope", quantization, new ExportOptions { Attention = attention, Head = head });

    private void QuantizedParity(string variant, string quantization, ExportOptions graph)
    {
        var precision = new ExportPrecision { Quantize = ExportPrecision.ParseQuantization(quantization), BlockSize = 16 };
        var config = RandomCheckpoints.Config(variant);
        var original = RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 31);
        var dequantized = QuantizedCheckpoints.WriteDequantized(original, _temp.Sub("dequantized"), precision.Bits, precision.BlockSize);
        using var ort = Export(original, graph with { Precision = precision });
        using var reference = TorchTokenLogProbModel.Load(dequantized, Placement.Cpu);
        using var fp32 = TorchTokenLogProbModel.Load(original, Placement.Cpu);

        var exact = ExportCheck.MaxRelativeDiff(ort, reference, config.VocabSize, seed: 5, batch: 6, maxLength: 40);
        var drift = ExportCheck.MaxRelativeDiff(ort, fp32, config.VocabSize, seed: 5, batch: 6, maxLength: 40);
        output.WriteLine($"{variant} {precision}: vs dequantized {exact:E2}, vs fp32 {drift:E2}");

        Assert.InRange(exact, 0, DequantizedTolerance);
        Assert.InRange(drift, 0, precision.VerifyTolerance);
    }

    [Fact]
    public void The_default_block_size_is_exported_as_exactly()
    {
        var precision = new ExportPrecision { Quantize = ExportQuantization.Int4 };
        var config = RandomCheckpoints.Build(hidden: 64, intermediate: 96);
        var original = RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 8);
        var dequantized = QuantizedCheckpoints.WriteDequantized(original, _temp.Sub("dequantized"), 4, ExportPrecision.DefaultBlockSize);
        using var ort = Export(original, precision);
        using var reference = TorchTokenLogProbModel.Load(dequantized, Placement.Cpu);

        var exact = ExportCheck.MaxRelativeDiff(ort, reference, config.VocabSize, seed: 5);
        output.WriteLine($"block 32: {exact:E2}");
        Assert.InRange(exact, 0, DequantizedTolerance);
    }

    [Fact]
    public void The_parity_check_sees_a_packing_fault()
    {
        var config = RandomCheckpoints.Config("gqa-tied");
        var original = RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 31);
        var swapped = QuantizedCheckpoints.WriteDequantized(original, _temp.Sub("swapped"), 4, 16, QuantizedCheckpoints.SwapNibbles);
        using var ort = Export(original, new ExportPrecision { Quantize = ExportQuantization.Int4, BlockSize = 16 });
        using var reference = TorchTokenLogProbModel.Load(swapped, Placement.Cpu);

        var difference = ExportCheck.MaxRelativeDiff(ort, reference, config.VocabSize, seed: 5);
        output.WriteLine($"nibbles swapped: {difference:E2}");
        Assert.True(difference > 1000 * DequantizedTolerance, $"a swapped packing differs by only {difference:E2}");
    }

    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void An_fp16_export_runs_on_the_CPU_provider_within_its_tolerance(string variant)
    {
        var precision = new ExportPrecision { Dtype = ExportDtype.Fp16 };
        var config = RandomCheckpoints.Config(variant);
        var original = RandomCheckpoints.Write(_temp.Sub("ckpt"), config, seed: 31);
        using var ort = Export(original, precision);
        using var fp32 = TorchTokenLogProbModel.Load(original, Placement.Cpu);

        var drift = ExportCheck.MaxRelativeDiff(ort, fp32, config.VocabSize, seed: 5, batch: 6, maxLength: 40);
        output.WriteLine($"{variant} fp16: {drift:E2}");
        Assert.InRange(drift, 0, precision.VerifyTolerance);
    }

    private OrtTokenLogProbModel Export(string checkpoint, ExportPrecision precision) => Export(checkpoint, new ExportOptions { Precision = precision });

    private OrtTokenLogProbModel Export(string checkpoint, ExportOptions options)
    {
        var exported = _temp.Sub($"onnx-{Guid.NewGuid():N}");
        LlamaOnnxExporter.Export(checkpoint, exported, options);
        return OrtTokenLogProbModel.Open(options.Precision.ToString(), Path.Combine(exported, ScoringGraph.ModelFile), new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { });
    }

    private static TheoryData<string, string> Cases(params string[] precisions)
    {
        var data = new TheoryData<string, string>();
        foreach (var variant in RandomCheckpoints.Variants)
            foreach (var precision in precisions)
                data.Add(variant, precision);
        return data;
    }
}
