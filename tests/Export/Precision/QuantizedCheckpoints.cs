using System.Runtime.InteropServices;
using PoFT.Exporter.Precision;
using PoFT.Checkpoints;

namespace PoFT.Tests.Export.Precision;

/// <summary>
/// A checkpoint whose decoder projections are replaced by what a quantized export stands for,
/// dequantize(quantize(W)), in fp32: the TorchSharp model of it is the exact reference of the quantized ONNX
/// graph, so the two must agree as closely as two fp32 implementations do. Blocks run along each row's input
/// features, so quantizing each projection alone equals quantizing the exporter's stacked q/k/v or gate/up.
/// </summary>
internal static class QuantizedCheckpoints
{
    public static string WriteDequantized(string source, string directory, int bits, int blockSize,
        Func<QuantizedMatrix, QuantizedMatrix>? fault = null)
    {
        using var checkpoint = Checkpoint.Open(source);
        var tensors = ExpectedTensors.For(checkpoint.Config).Select(spec =>
        {
            var values = checkpoint.ReadFloat32(spec.Name);
            if (IsProjection(spec.Name))
            {
                var q = BlockQuantizer.Quantize(values, (int)spec.Shape[0], (int)spec.Shape[1], bits, blockSize);
                values = BlockQuantizer.Dequantize(fault is null ? q : fault(q));
            }
            return new TensorData(spec.Name, SafetensorsDType.F32, spec.Shape, MemoryMarshal.AsBytes<float>(values).ToArray());
        }).ToList();
        Checkpoint.Save(directory, checkpoint.Config, tensors, tokenizerDirectory: null);
        return directory;
    }

    /// <summary>The weights the exporter quantizes: every attention and MLP projection, not their biases.</summary>
    public static bool IsProjection(string tensor) =>
        tensor.StartsWith("model.layers.", StringComparison.Ordinal) && tensor.EndsWith("_proj.weight", StringComparison.Ordinal);

    /// <summary>A packing fault: the two 4-bit halves of every byte swapped.</summary>
    public static QuantizedMatrix SwapNibbles(QuantizedMatrix q) =>
        q with { Packed = Array.ConvertAll(q.Packed, b => (byte)((b >> 4) | (b << 4))) };
}
