using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Onnx;

/// <summary>The scoring graph contract (README, "ONNX graph"): int64 <c>input_ids</c> and
/// <c>attention_mask</c> [batch, seq] in, fp32 <c>token_logprobs</c> [batch, seq−1] out.</summary>
public static class OnnxSignature
{

    public static void Validate(InferenceSession session, string modelName, string path)
    {
        Require(session.InputMetadata, ScoringGraph.InputIds, TensorElementType.Int64, "input", modelName, path);
        Require(session.InputMetadata, ScoringGraph.AttentionMask, TensorElementType.Int64, "input", modelName, path);
        Require(session.OutputMetadata, ScoringGraph.TokenLogProbs, TensorElementType.Float, "output", modelName, path);
        var extra = session.InputMetadata.Keys.Except([ScoringGraph.InputIds, ScoringGraph.AttentionMask]).ToList();
        if (extra.Count > 0)
            throw Mismatch(modelName, path, $"unexpected inputs {string.Join(", ", extra)} (the scorer feeds only {ScoringGraph.InputIds} and {ScoringGraph.AttentionMask})");
    }

    private static void Require(IReadOnlyDictionary<string, NodeMetadata> nodes, string name, TensorElementType type, string kind, string modelName, string path)
    {
        if (!nodes.TryGetValue(name, out var node))
            throw Mismatch(modelName, path, $"no {kind} '{name}'; its {kind}s are: {string.Join(", ", nodes.Keys)}");
        if (!node.IsTensor || node.ElementDataType != type || node.Dimensions.Length != 2)
            throw Mismatch(modelName, path, $"{kind} '{name}' is {node.ElementDataType} of rank {node.Dimensions.Length}; expected {type} [batch, seq]");
    }

    private static InvalidDataException Mismatch(string modelName, string path, string reason) =>
        new($"aligned model '{modelName}': {path}: {reason}. Export it with `./run.sh export`.");
}
