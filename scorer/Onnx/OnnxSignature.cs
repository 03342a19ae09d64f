using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Onnx;

/// <summary>The scoring graph contract (docs/scoring.md, "ONNX graph"): int64 <c>input_ids</c> and
/// <c>attention_mask</c> [batch, seq] in, optionally int64 <c>score_mask</c> [batch, seq−1], fp32
/// <c>token_logprobs</c> [batch, seq−1] out.</summary>
public static class OnnxSignature
{
    /// <returns>Whether the graph takes <c>score_mask</c> (its LM head runs only where scored).</returns>
    public static bool Validate(InferenceSession session, string modelName, string path)
    {
        Require(session.InputMetadata, ScoringGraph.InputIds, TensorElementType.Int64, "input", modelName, path);
        Require(session.InputMetadata, ScoringGraph.AttentionMask, TensorElementType.Int64, "input", modelName, path);
        Require(session.OutputMetadata, ScoringGraph.TokenLogProbs, TensorElementType.Float, "output", modelName, path);
        var hasScoreMask = session.InputMetadata.ContainsKey(ScoringGraph.ScoreMask);
        if (hasScoreMask)
            Require(session.InputMetadata, ScoringGraph.ScoreMask, TensorElementType.Int64, "input", modelName, path);
        string[] known = [ScoringGraph.InputIds, ScoringGraph.AttentionMask, ScoringGraph.ScoreMask];
        var extra = session.InputMetadata.Keys.Except(known).ToList();
        if (extra.Count > 0)
            throw Mismatch(modelName, path, $"unexpected inputs {string.Join(", ", extra)} (the scorer feeds only {string.Join(", ", known)})");
        return hasScoreMask;
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
