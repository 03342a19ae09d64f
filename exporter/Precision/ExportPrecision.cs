using PoFT.Shared.Training;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter.Precision;

/// <summary>The element type the decoder's weights are stored and multiplied in.</summary>
public enum ExportDtype { Fp32, Fp16, Bf16 }

/// <summary>Weight-only quantization of the decoder projections (ONNX Runtime's <c>MatMulNBits</c>).</summary>
public enum ExportQuantization { None, Int8, Int4 }

/// <summary>
/// How an export trades precision for size and speed — the one declaration of <c>--dtype</c>,
/// <c>--quantize</c> and <c>--block-size</c>. Everything the graph builder needs to know about types comes
/// from here (<see cref="ComputeType"/>), so attention variants and the LM head agree on one compute dtype.
/// </summary>
public sealed record ExportPrecision
{
    public const int DefaultBlockSize = 32;

    public ExportDtype Dtype { get; init; } = ExportDtype.Fp32;
    public ExportQuantization Quantize { get; init; } = ExportQuantization.None;

    /// <summary>Weights per quantization block along the input dimension (one scale and zero point each).</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    public static ExportPrecision Fp32 { get; } = new();

    /// <summary>The activations' and weights' element type between the fp32 islands (RMSNorm, softmax, the
    /// log-softmax), which are bracketed by Casts when this is not fp32.</summary>
    public DataType ComputeType => Dtype switch
    {
        ExportDtype.Fp32 => DataType.Float,
        ExportDtype.Fp16 => DataType.Float16,
        ExportDtype.Bf16 => DataType.Bfloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(Dtype), Dtype, null),
    };

    /// <summary>4 or 8 when quantized, else 0.</summary>
    public int Bits => Quantize switch { ExportQuantization.Int8 => 8, ExportQuantization.Int4 => 4, _ => 0 };

    /// <summary>How far <c>export --verify</c> lets ONNX Runtime drift from TorchSharp's fp32 model, relative to
    /// the log-prob (docs/scoring.md, "ONNX graph"). fp32 differs only in summation order. The others round every weight;
    /// their bounds are the worst drift measured on the five random test checkpoints (fp16 6.1e-4, int8 at block
    /// 16 7.8e-3, int4 0.105) with 2.5–4× room: random uniform weights are the hard case for block quantization.
    /// bf16 does not run on this machine: its bound is fp16's scaled by its 8× coarser rounding (8 vs 11
    /// significant bits), not measured.</summary>
    public double VerifyTolerance => (Dtype, Quantize) switch
    {
        (ExportDtype.Fp32, ExportQuantization.None) => 1e-4,
        (ExportDtype.Fp32, ExportQuantization.Int8) => 2e-2,
        (ExportDtype.Fp32, ExportQuantization.Int4) => 2.5e-1,
        (ExportDtype.Fp16, _) => 2e-3,
        (ExportDtype.Bf16, _) => 1.6e-2,
        _ => throw new ArgumentOutOfRangeException(nameof(Quantize), Quantize, null),
    };

    /// <summary>Throws, naming the option, when the combination cannot be exported.</summary>
    public ExportPrecision Validated()
    {
        if (BlockSize < 16 || (BlockSize & (BlockSize - 1)) != 0)
            throw new ArgumentException($"--block-size {BlockSize}: must be a power of two ≥ 16 (MatMulNBits' rule)");
        if (Quantize != ExportQuantization.None && Dtype != ExportDtype.Fp32)
            throw new ArgumentException($"--quantize {Name(Quantize)} needs --dtype fp32 (its scales and activations are fp32); " +
                $"--dtype {Name(Dtype)} with quantized weights is not exported");
        return this;
    }

    /// <summary>fp32 and bf16 are the compute dtypes training uses too, parsed as it parses them (any case here);
    /// fp16 is the export's own: ONNX Runtime computes in it, the trainer does not (<see cref="ComputeDtype"/>).</summary>
    public static ExportDtype ParseDtype(string text)
    {
        var name = text.ToLowerInvariant();
        if (ComputeDtypes.TryParse(name, out var compute))
            return compute switch
            {
                ComputeDtype.Float32 => ExportDtype.Fp32,
                ComputeDtype.BFloat16 => ExportDtype.Bf16,
                _ => throw new ArgumentOutOfRangeException(nameof(text), compute, null),
            };
        return name is "fp16" or "float16" ? ExportDtype.Fp16
            : throw new ArgumentException($"--dtype '{text}': expected fp32, fp16 or bf16");
    }

    public static ExportQuantization ParseQuantization(string text) => text.ToLowerInvariant() switch
    {
        "none" => ExportQuantization.None,
        "int8" => ExportQuantization.Int8,
        "int4" => ExportQuantization.Int4,
        _ => throw new ArgumentException($"--quantize '{text}': expected none, int8 or int4"),
    };

    public static string Name(ExportDtype dtype) => dtype.ToString().ToLowerInvariant();
    public static string Name(ExportQuantization quantization) => quantization.ToString().ToLowerInvariant();

    /// <summary>"fp32", "fp16", "int8/b32": what an export is called in reports and bench tables.</summary>
    public override string ToString() =>
        Quantize == ExportQuantization.None ? Name(Dtype) : $"{Name(Quantize)}/b{BlockSize}";
}
