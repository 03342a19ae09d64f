using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PoFT.Trainer.Model;

/// <summary>
/// log p(target) = logit[target] − logsumexp(logits), in fp32, with logits = hidden · weightᵀ formed a chunk
/// of rows at a time. Autograd through the plain expression keeps the fp32 logits of every scored position
/// ([positions, vocabulary], gigabytes for a long batch and a 128k vocabulary) until backward; this keeps only
/// each row's logsumexp and forms each chunk's logits again in backward, so logits memory is
/// chunk × vocabulary whatever the batch. With Gemma's final_logit_softcapping c the logits are c·tanh(z / c).
/// </summary>
public sealed class ChunkedTokenLogProbs : autograd.SingleTensorFunction<ChunkedTokenLogProbs>
{
    /// <summary>256 positions: at a 128k vocabulary one chunk's fp32 logits are 125 MiB, and a [256, hidden]
    /// × [hidden, vocabulary] product still runs at the GEMM's full rate (docs/performance.md).</summary>
    public const int DefaultChunk = 256;

    private const string ChunkKey = "chunk", SoftcapKey = "softcap", HiddenNeedsGradKey = "hidden.requires_grad", WeightNeedsGradKey = "weight.requires_grad";

    public override string Name => nameof(ChunkedTokenLogProbs);

    /// <param name="hidden">[positions, hidden]: the final hidden state of each scored position.</param>
    /// <param name="weight">[vocabulary, hidden]: the LM head (or the tied embedding).</param>
    /// <param name="targets">[positions] int64: the token each position predicts.</param>
    /// <param name="chunk">Rows whose logits exist at once, ≥ 1.</param>
    /// <param name="softcap">The final logit softcap, if any.</param>
    /// <returns>[positions] fp32.</returns>
    public static Tensor Compute(Tensor hidden, Tensor weight, Tensor targets, int chunk, double? softcap = null) =>
        apply(hidden, weight, targets, chunk, softcap ?? NoSoftcap);

    /// <summary>c·tanh(z / c), Gemma2ForCausalLM's final_logit_softcapping; the logits themselves without a cap.</summary>
    public static Tensor Softcapped(Tensor logits, double? softcap) => softcap is { } c ? (logits / c).tanh() * c : logits;

    // The autograd context keeps values, not nullables: no cap travels as 0, which no config can give.
    private const double NoSoftcap = 0;

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (hidden, weight, targets, chunk, softcap) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (int)vars[3], Cap((double)vars[4]));
        var picked = new List<Tensor>();
        var logsumexps = new List<Tensor>();
        foreach (var rows in Chunks(hidden.shape[0], chunk))
        {
            using var scope = NewDisposeScope();
            var logits = Softcapped(Logits(hidden, weight, rows), softcap);
            logsumexps.Add(logits.logsumexp(-1, keepdim: false).MoveToOuterDisposeScope());
            picked.Add(logits.gather(-1, targets[rows].unsqueeze(-1)).squeeze(-1).MoveToOuterDisposeScope());
        }
        var logsumexp = cat(logsumexps, 0);
        ctx.save_for_backward([hidden, weight, targets, logsumexp]);
        ctx.save_data(ChunkKey, chunk);
        ctx.save_data(SoftcapKey, softcap ?? NoSoftcap);
        ctx.save_data(HiddenNeedsGradKey, hidden.requires_grad);
        ctx.save_data(WeightNeedsGradKey, weight.requires_grad);
        return cat(picked, 0) - logsumexp;
    }

    /// <summary>d/dlogits of g·log p(target) is g·(onehot(target) − softmax); hidden and weight get it through
    /// the matrix product, the weight's gradient summed over chunks in fp32. Through a softcap it is times
    /// d(c·tanh(z / c))/dz = 1 − tanh²(z / c).</summary>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        // Everything else here, the incoming gradient included, is freed on leaving (see HandedGradients).
        using var scope = NewDisposeScope();
        gradOutput.MoveToOtherDisposeScope(scope);
        var saved = ctx.get_saved_variables();
        var (hidden, weight, targets, logsumexp) = (saved[0], saved[1], saved[2], saved[3]);
        var chunk = (int)ctx.get_data(ChunkKey);
        var softcap = Cap((double)ctx.get_data(SoftcapKey));
        var gradHidden = (bool)ctx.get_data(HiddenNeedsGradKey) ? zeros_like(hidden) : null;
        // A frozen head (LoRA) gets no gradient: no [vocabulary, hidden] accumulator either.
        var gradWeight = (bool)ctx.get_data(WeightNeedsGradKey) ? zeros(weight.shape, ScalarType.Float32, weight.device) : null;
        foreach (var rows in Chunks(hidden.shape[0], chunk))
        {
            using var chunkScope = NewDisposeScope();
            var g = gradOutput[rows].unsqueeze(-1);
            // In place throughout: one [chunk, vocabulary] buffer, and the weight's gradient accumulated by
            // addmm_ rather than through a [vocabulary, hidden] product per chunk.
            var logits = Logits(hidden, weight, rows);
            Tensor? slope = null;
            if (softcap is { } c)
            {
                var t = logits.div_(c).tanh_();
                slope = 1 - t.square();
                logits = t.mul_(c);
            }
            var gradCapped = logits.sub_(logsumexp[rows].unsqueeze(-1)).exp_().mul_(-g).scatter_add_(-1, targets[rows].unsqueeze(-1), g);
            var gradLogits = (slope is null ? gradCapped : gradCapped.mul_(slope)).to(weight.dtype);
            gradHidden?[rows].copy_(gradLogits.mm(weight));
            gradWeight?.addmm_(gradLogits.t().to(ScalarType.Float32), hidden[rows].to(ScalarType.Float32));
        }
        return HandedGradients.Hand(gradHidden, gradWeight?.to(weight.dtype), null, null, null);
    }

    private static double? Cap(double saved) => saved == NoSoftcap ? null : saved;

    private static Tensor Logits(Tensor hidden, Tensor weight, TensorIndex rows) =>
        F.linear(hidden[rows], weight).to(ScalarType.Float32);

    // No rows still make one (empty) chunk, so that the per-chunk results concatenate.
    private static IEnumerable<TensorIndex> Chunks(long count, int chunk)
    {
        for (long start = 0; start == 0 || start < count; start += chunk)
            yield return TensorIndex.Slice(start, Math.Min(start + chunk, count));
    }
}
