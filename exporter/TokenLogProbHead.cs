using PoFT.Exporter.Onnx;
using PoFT.Shared.Checkpoints;
using PoFT.Shared.Scoring;
using static PoFT.Exporter.Onnx.OnnxAttributes;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter;

/// <summary>
/// lm_head and the per-token log-probabilities: logit[target] − logsumexp(logits), never a full
/// LogSoftmax tensor. Positions whose target or context token is padding are exactly 0. The lm_head runs in the
/// graph's compute dtype; its logits are cast to fp32 before logsumexp, so the output is fp32 log-probs always.
/// </summary>
internal static class TokenLogProbHead
{

    public static void Add(OnnxGraph g, string hidden, string ids, string mask, string lmHead, ModelConfig config, bool includeLogits, DataType computeType)
    {
        var allButLast = (Start: g.Int64s(0), End: g.Int64s(-1));
        var allButFirst = (Start: g.Int64s(1), End: g.Int64s(long.MaxValue));
        var seqAxis = g.Int64s(1);
        var targets = g.Node("Slice", [ids, allButFirst.Start, allButFirst.End, seqAxis], "target_ids");

        string predicting;
        string? logits = null;
        if (includeLogits)
        {
            logits = g.Node("Reshape", [LmHead(g, hidden, lmHead, config, computeType), g.Node("Concat", [g.Node("Shape", [ids], "ids_shape"), g.Int64s(config.VocabSize)], "logits_shape", Int("axis", 0))], ScoringGraph.Logits);
            predicting = g.Node("Reshape", [g.Node("Slice", [logits, allButLast.Start, allButLast.End, seqAxis], "predicting_logits_3d"), g.Int64s(-1, config.VocabSize)], "predicting_logits");
        }
        else
        {
            // The last position predicts nothing, so its logits are never computed.
            predicting = LmHead(g, g.Node("Slice", [hidden, allButLast.Start, allButLast.End, seqAxis], "predicting_hidden"), lmHead, config, computeType);
        }

        var targetLogit = g.Node("GatherElements", [predicting, g.Node("Reshape", [targets, g.Int64s(-1, 1)], "target_col")], "target_logit", Int("axis", 1));
        var normalizer = g.Node("ReduceLogSumExp", [predicting], "logsumexp", Ints("axes", 1), Int("keepdims", 1));
        var logProbs = g.Node("Reshape", [g.Node("Sub", [targetLogit, normalizer], "logprob_col"), g.Node("Shape", [targets], "targets_shape")], "logprob_raw");

        // A left-padded row's first real token has only padding before it: nothing to condition on.
        var targetIsReal = g.Node("Cast", [g.Node("Slice", [mask, allButFirst.Start, allButFirst.End, seqAxis], "target_mask")], "target_is_real", Int("to", (long)DataType.Bool));
        var contextIsReal = g.Node("Cast", [g.Node("Slice", [mask, allButLast.Start, allButLast.End, seqAxis], "context_mask")], "context_is_real", Int("to", (long)DataType.Bool));
        var scored = g.Node("And", [targetIsReal, contextIsReal], "scored");
        var output = g.Node("Where", [scored, logProbs, g.FloatScalar(0f)], ScoringGraph.TokenLogProbs);
        g.AddOutput(output, DataType.Float, "batch", "seq_minus_1");
        if (logits is not null)
            g.AddOutput(logits, DataType.Float, "batch", "seq", config.VocabSize);
    }

    // Gemm with transB on the [vocab, hidden] table: a tied lm_head shares the embedding initializer
    // instead of storing (or folding at load) a transposed copy.
    private static string LmHead(OnnxGraph g, string hidden, string lmHead, ModelConfig config, DataType computeType)
    {
        var logits = g.Node("Gemm", [g.Node("Reshape", [hidden, g.Int64s(-1, config.HiddenSize)], "lm_head_input"), lmHead], "lm_head_logits", Int("transB", 1));
        return computeType == DataType.Float ? logits : g.Node("Cast", [logits], "lm_head_logits_f32", Int("to", (long)DataType.Float));
    }
}
