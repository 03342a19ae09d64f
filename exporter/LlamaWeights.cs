using PoFT.Exporter.Onnx;
using PoFT.Shared.Checkpoints;

namespace PoFT.Exporter;

/// <summary>
/// Turns checkpoint tensors into graph initializers in the layout the graph wants. Values are read from
/// the checkpoint only when the model is written, so the checkpoint must stay open until then.
/// </summary>
internal sealed class LlamaWeights(OnnxGraph graph, Checkpoint checkpoint)
{
    private string? _embedding;

    /// <summary>The [vocab, hidden] embedding table, added once: the tied lm_head reuses it.</summary>
    public string Embedding => _embedding ??= Vector(ExpectedTensors.Embedding);

    /// <summary>The lm_head as stored, [vocab, hidden], for a Gemm with transB rather than a transposed copy.</summary>
    public string LmHead => checkpoint.Config.TieWordEmbeddings ? Embedding : Vector(ExpectedTensors.LmHead);

    /// <summary>Any tensor unchanged (norm weights, the embedding table).</summary>
    public string Vector(string tensor) =>
        graph.AddInitializer(tensor, checkpoint.Entry(tensor).Shape, () => checkpoint.ReadFloat32(tensor));

    /// <summary>Linear weights stored by PyTorch as [out, in], stacked along out and transposed to [in, out],
    /// so one MatMul computes several projections of the same input with no transpose at run time.</summary>
    public string Projection(string hint, params string[] tensors)
    {
        var outFeatures = tensors.Sum(t => checkpoint.Entry(t).Shape[0]);
        var inFeatures = checkpoint.Entry(tensors[0]).Shape[1];
        return graph.AddInitializer(hint, [inFeatures, outFeatures],
            () => Transpose(Concat(tensors), (int)outFeatures, (int)inFeatures));
    }

    /// <summary>Biases of the projections stacked by <see cref="Projection"/>, in the same order.</summary>
    public string Bias(string hint, params string[] tensors) =>
        graph.AddInitializer(hint, [tensors.Sum(t => checkpoint.Entry(t).Shape[0])], () => Concat(tensors));

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
