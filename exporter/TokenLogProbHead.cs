using PoFT.Exporter.Onnx;
using PoFT.Checkpoints;
using static PoFT.Exporter.Onnx.OnnxAttributes;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter;

/// <summary>
/// Final norm, lm_head and the per-token log-probabilities: the fp32 LogSoftmax of each row, gathered at its
/// target. Output [batch, seq − 1]: element t is log p(token t+1 | ≤ t), exactly 0 where the target
/// or its context token is padding (or, with a score mask, where it is not asked for). The lm_head runs in the
/// graph's compute dtype; its logits are cast to fp32 before the LogSoftmax, so the log-probs are fp32 always.
/// </summary>
internal sealed class TokenLogProbHead(OnnxGraph g, ModelConfig config, string lmHead, Func<string, string> finalNorm, DataType computeType)
{
    private static readonly long[] AllButLast = [0, -1];
    private static readonly long[] AllButFirst = [1, long.MaxValue];

    /// <summary>Every position through the head; with <paramref name="includeLogits"/> also the full logits.</summary>
    /// <returns>The [batch, seq − 1] log-probs and the [batch, seq, vocab] logits (when asked), named by the hints.</returns>
    public (string LogProbs, string? Logits) AtEveryPosition(string hidden, string ids, string mask, bool includeLogits, string logProbsHint, string logitsHint)
    {
        var normed = finalNorm(hidden);
        var targets = SliceSeq(ids, AllButFirst, "target_ids");
        string predicting;
        string? logits = null;
        if (includeLogits)
        {
            logits = g.Node("Reshape", [LmHead(normed), g.Node("Concat", [g.Node("Shape", [ids], "ids_shape"), g.Int64s(config.VocabSize)], "logits_shape", Int("axis", 0))], logitsHint);
            predicting = g.Node("Reshape", [SliceSeq(logits, AllButLast, "predicting_logits_3d"), g.Int64s(-1, config.VocabSize)], "predicting_logits");
        }
        else
        {
            // The last position predicts nothing, so its logits are never computed.
            predicting = LmHead(SliceSeq(normed, AllButLast, "predicting_hidden"));
        }
        var logProbs = g.Node("Reshape", [PickTargets(predicting, g.Node("Reshape", [targets, g.Int64s(-1)], "target_flat")), g.Node("Shape", [targets], "targets_shape")], "logprob_raw");
        return (g.Node("Where", [RealPairs(mask), logProbs, g.FloatScalar(0f)], logProbsHint), logits);
    }

    /// <summary>Only the positions that <paramref name="scoreMask"/> asks for (and that are real pairs) are
    /// gathered into one [n, hidden] matrix for the norm, the head and the log-softmax, then scattered back.</summary>
    /// <returns>The [batch, seq − 1] log-probs, named by <paramref name="logProbsHint"/>.</returns>
    public string AtScoredPositions(string hidden, string ids, string mask, string scoreMask, string logProbsHint)
    {
        var wanted = g.Node("And", [RealPairs(mask), g.Node("Cast", [scoreMask], "score_mask_bool", Int("to", (long)DataType.Bool))], "scored");
        // [n, 2] (row, position) pairs: position t of the output is the hidden state at t predicting token t+1.
        var where = g.Node("Transpose", [g.Node("NonZero", [wanted], "scored_where")], "scored_index", Ints("perm", 1, 0));
        var rows = g.Node("GatherND", [hidden, where], "scored_hidden");
        var targets = g.Node("GatherND", [SliceSeq(ids, AllButFirst, "target_ids"), where], "scored_targets");
        var picked = PickTargets(LmHead(finalNorm(rows)), targets);
        var zeros = g.Node("Expand", [g.FloatScalar(0f), g.Node("Shape", [wanted], "scored_shape")], "logprob_zeros");
        return g.Node("ScatterND", [zeros, where, picked], logProbsHint);
    }

    /// <summary>[n] log-probs of <paramref name="targets"/> [n] under the logits [n, vocab]. ONNX Runtime's
    /// LogSoftmax kernel (max-subtracted, one pass for the sum) takes a third of the time its ReduceLogSumExp
    /// does (profiled at 20m with a 50k vocabulary: 6 % of the run vs 17 %), for one more [n, vocab] buffer
    /// inside the batch budget.</summary>
    private string PickTargets(string logits, string targets)
    {
        var logSoftmax = g.Node("LogSoftmax", [logits], "log_softmax", Int("axis", 1));
        var picked = g.Node("GatherElements", [logSoftmax, g.Node("Unsqueeze", [targets, g.Int64s(1)], "target_col")], "logprob_col", Int("axis", 1));
        return g.Node("Squeeze", [picked, g.Int64s(1)], "logprob_flat");
    }

    /// <summary>[batch, seq − 1] bool: the target and its context are both real tokens. A left-padded row's
    /// first real token has only padding before it: nothing to condition on.</summary>
    private string RealPairs(string mask)
    {
        var targetIsReal = g.Node("Cast", [SliceSeq(mask, AllButFirst, "target_mask")], "target_is_real", Int("to", (long)DataType.Bool));
        var contextIsReal = g.Node("Cast", [SliceSeq(mask, AllButLast, "context_mask")], "context_is_real", Int("to", (long)DataType.Bool));
        return g.Node("And", [targetIsReal, contextIsReal], "real_pairs");
    }

    private string SliceSeq(string x, long[] range, string hint) => g.Node("Slice", [x, g.Int64s(range[0]), g.Int64s(range[1]), g.Int64s(1)], hint);

    // Gemm with transB on the [vocab, hidden] table: a tied lm_head shares the embedding initializer
    // instead of storing (or folding at load) a transposed copy.
    private string LmHead(string hidden)
    {
        var logits = g.Node("Gemm", [g.Node("Reshape", [hidden, g.Int64s(-1, config.HiddenSize)], "lm_head_input"), lmHead], "lm_head_logits", Int("transB", 1));
        var f32 = computeType == DataType.Float ? logits : g.Node("Cast", [logits], "lm_head_logits_f32", Int("to", (long)DataType.Float));
        return LlamaGraphBuilder.Softcap(g, f32, config.FinalLogitSoftcap, "lm_head_logits");
    }
}
