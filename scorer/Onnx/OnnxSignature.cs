using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace PoFT.Scorer.Onnx;

/// <summary>The scoring graph contract (README, "ONNX graph"): int64 <c>input_ids</c> and
/// <c>attention_mask</c> [batch, seq] in, fp32 <c>token_logprobs</c> [batch, seq−1] out.</summary>
public static class OnnxSignature
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenLogProbs = "token_logprobs";

    public static void Validate(InferenceSession session, string modelName, string path)
    {
        Require(session.InputMetadata, InputIds, TensorElementType.Int64, "input", modelName, path);
        Require(session.InputMetadata, AttentionMask, TensorElementType.Int64, "input", modelName, path);
        Require(session.OutputMetadata, TokenLogProbs, TensorElementType.Float, "output", modelName, path);
        var extra = session.InputMetadata.Keys.Except([InputIds, AttentionMask]).ToList();
        if (extra.Count > 0)
            throw Mismatch(modelName, path, $"unexpected inputs {string.Join(", ", extra)} (the scorer feeds only {InputIds} and {AttentionMask})");
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
