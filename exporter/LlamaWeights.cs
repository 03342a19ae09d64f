using PoFT.Exporter.Onnx;
using PoFT.Exporter.Precision;
using PoFT.Checkpoints;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter;

/// <summary>
/// Turns checkpoint tensors into graph initializers in the layout and element type the graph wants. Values
/// are read from the checkpoint only when the model is written, so the checkpoint must stay open until then.
/// </summary>
internal sealed class LlamaWeights(OnnxGraph graph, Checkpoint checkpoint, ExportPrecision precision)
{
    private string? _embedding;

    /// <summary>The [vocab, hidden] embedding table in the compute dtype, added once: the tied lm_head reuses it.</summary>
    public string Embedding => _embedding ??= Typed(ExpectedTensors.Embedding);

    /// <summary>The lm_head as stored, [vocab, hidden], for a Gemm with transB rather than a transposed copy.</summary>
    public string LmHead => checkpoint.Config.TieWordEmbeddings ? Embedding : Typed(ExpectedTensors.LmHead);

    /// <summary>A tensor unchanged and in fp32 whatever the compute dtype: norm weights, which the graph
    /// applies inside its fp32 RMSNorm.</summary>
    public string Vector(string tensor) =>
        graph.AddInitializer(tensor, checkpoint.Entry(tensor).Shape, () => checkpoint.ReadFloat32(tensor));

    /// <summary>Gemma's norm weight, an offset from 1, as the factor it scales by: 1 + w, added in fp32 as
    /// Gemma3RMSNorm does, so the graph's RMSNorm is the same as Llama's.</summary>
    public string OffsetFromOne(string tensor) =>
        graph.AddInitializer(tensor, checkpoint.Entry(tensor).Shape, () => [.. checkpoint.ReadFloat32(tensor).Select(w => 1f + w)]);

    /// <summary>A tensor unchanged in the compute dtype (embedding table, an untied lm_head, a bias).</summary>
    public string Typed(string tensor) =>
        graph.AddInitializer(tensor, precision.ComputeType, checkpoint.Entry(tensor).Shape,
            () => checkpoint.ReadFloat32(tensor));

    /// <summary>Linear weights stored by PyTorch as [out, in], stacked along out and transposed to [in, out],
    /// so one MatMul computes several projections of the same input with no transpose at run time.</summary>
    public string Projection(string hint, params string[] tensors)
    {
        var (inFeatures, outFeatures) = Features(tensors);
        return graph.AddInitializer(hint, precision.ComputeType, [inFeatures, outFeatures],
            () => Transpose(Concat(tensors), outFeatures, inFeatures));
    }

    /// <summary>The same stacked projections quantized for MatMulNBits: B, scales and zero points, which
    /// keep PyTorch's [out, in] row order (see <see cref="QuantizedMatrix"/>).</summary>
    public QuantizedProjection Quantized(string hint, params string[] tensors)
    {
        var (inFeatures, outFeatures) = Features(tensors);
        var shape = new QuantizedMatrix(outFeatures, inFeatures, precision.Bits, precision.BlockSize, [], [], []);
        var matrix = new SharedOnce<QuantizedMatrix>(
            () => BlockQuantizer.Quantize(Concat(tensors), outFeatures, inFeatures, precision.Bits, precision.BlockSize), readers: 3);
        return new QuantizedProjection(
            inFeatures, outFeatures,
            B: graph.AddInitializer($"{hint}_q{precision.Bits}", DataType.Uint8, [outFeatures, shape.BlocksPerRow, shape.BlobBytes],
                () => matrix.Read(m => m.Packed)),
            Scales: graph.AddInitializer($"{hint}_scales", DataType.Float, [(long)outFeatures * shape.BlocksPerRow],
                () => matrix.Read(m => m.Scales)),
            ZeroPoints: graph.AddInitializer($"{hint}_zero_points", DataType.Uint8, [(long)outFeatures * shape.ZeroPointBytesPerRow],
                () => matrix.Read(m => m.ZeroPoints)));
    }

    /// <summary>Biases of the projections stacked by <see cref="Projection"/>, in the same order, in the compute dtype.</summary>
    public string Bias(string hint, params string[] tensors) =>
        graph.AddInitializer(hint, precision.ComputeType, [tensors.Sum(t => checkpoint.Entry(t).Shape[0])],
            () => Concat(tensors));

    private (int In, int Out) Features(string[] tensors) =>
        ((int)checkpoint.Entry(tensors[0]).Shape[1], (int)tensors.Sum(t => checkpoint.Entry(t).Shape[0]));

    private float[] Concat(string[] tensors) =>
        tensors.Length == 1 ? checkpoint.ReadFloat32(tensors[0]) : [.. tensors.SelectMany(checkpoint.ReadFloat32)];

    private static float[] Transpose(float[] rowMajor, int rows, int columns)
    {
        var transposed = new float[rowMajor.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                transposed[(long)c * rows + r] = rowMajor[(long)r * columns + c];
        return transposed;
    }
}

/// <summary>The initializers of one MatMulNBits weight: [K = in, N = out].</summary>
internal sealed record QuantizedProjection(int K, int N, string B, string Scales, string ZeroPoints);
