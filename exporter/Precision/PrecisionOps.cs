using PoFT.Exporter.Onnx;
using static PoFT.Exporter.Onnx.OnnxAttributes;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter.Precision;

/// <summary>
/// The graph's precision in one place: projections as MatMul in the compute dtype or as MatMulNBits, and the
/// Casts into and out of the fp32 islands (RMSNorm, softmax, log-softmax). With fp32 and no quantization it
/// emits exactly the plain graph: no Casts, plain MatMuls.
/// </summary>
internal sealed class PrecisionOps(OnnxGraph g, LlamaWeights weights, ExportPrecision precision)
{
    public DataType ComputeType => precision.ComputeType;

    /// <summary>x · Wᵀ for the stacked PyTorch weights <paramref name="tensors"/> ([out, in] each).</summary>
    public string Linear(string x, string hint, params string[] tensors)
    {
        if (precision.Quantize == ExportQuantization.None)
            return g.Node("MatMul", [x, weights.Projection($"{hint}_weight", tensors)], hint);
        var q = weights.Quantized($"{hint}_weight", tensors);
        // accuracy_level 0: activations stay fp32 and MLAS dequantizes the weights; the int8-activation
        // levels would add a second rounding on top of the weights' (not measured here).
        return g.Node("MatMulNBits", [x, q.B, q.Scales, q.ZeroPoints], [hint],
            [Int("K", q.K), Int("N", q.N), Int("bits", precision.Bits), Int("block_size", precision.BlockSize)], OnnxDomains.Microsoft)[0];
    }

    /// <summary><paramref name="x"/> in fp32 for an fp32 island; itself when the graph computes in fp32.</summary>
    public string ToFloat(string x, string hint) => CastTo(x, DataType.Float, hint);

    /// <summary>An fp32 island's result back in the compute dtype.</summary>
    public string ToCompute(string x, string hint) => CastTo(x, ComputeType, hint);

    private string CastTo(string x, DataType type, string hint) =>
        ComputeType == DataType.Float ? x : g.Node("Cast", [x], hint, Int("to", (long)type));
}
