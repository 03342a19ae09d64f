using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace PoFT.Tests.Export;

/// <summary>An exported model in an ONNX Runtime CPU session, fed with padded token rows.</summary>
internal sealed class ExportedModel : IDisposable
{
    public const int PadToken = 0;

    public InferenceSession Session { get; }

    public ExportedModel(string modelPath)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 2 };
        Session = new InferenceSession(modelPath, options);
    }

    /// <summary>Runs rows padded to the longest with <see cref="PadToken"/>, on the right or (for rows in
    /// <paramref name="leftPadded"/>) on the left; returns every output by name. A graph with a score mask gets
    /// <paramref name="scored"/> (by row and output position of the padded batch), or every position.</summary>
    public Dictionary<string, Tensor<float>> Run(IReadOnlyList<int[]> rows, ISet<int>? leftPadded = null, Func<int, int, bool>? scored = null)
    {
        var length = rows.Max(r => r.Length);
        var ids = new DenseTensor<long>([rows.Count, length]);
        var mask = new DenseTensor<long>([rows.Count, length]);
        for (var b = 0; b < rows.Count; b++)
        {
            var offset = leftPadded?.Contains(b) == true ? length - rows[b].Length : 0;
            for (var t = 0; t < length; t++)
                ids[b, t] = PadToken;
            for (var t = 0; t < rows[b].Length; t++)
            {
                ids[b, offset + t] = rows[b][t];
                mask[b, offset + t] = 1;
            }
        }
        List<NamedOnnxValue> inputs = [NamedOnnxValue.CreateFromTensor("input_ids", ids), NamedOnnxValue.CreateFromTensor("attention_mask", mask)];
        if (Session.InputMetadata.ContainsKey("score_mask"))
        {
            var wanted = new DenseTensor<long>([rows.Count, length - 1]);
            for (var b = 0; b < rows.Count; b++)
                for (var t = 0; t < length - 1; t++)
                    wanted[b, t] = scored?.Invoke(b, t) == false ? 0 : 1;
            inputs.Add(NamedOnnxValue.CreateFromTensor("score_mask", wanted));
        }
        using var results = Session.Run(inputs);
        return results.ToDictionary(r => r.Name, r => (Tensor<float>)r.AsTensor<float>().Clone());
    }

    public void Dispose() => Session.Dispose();
}
