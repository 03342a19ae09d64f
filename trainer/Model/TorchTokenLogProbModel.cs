using PoFT.Shared.Scoring;
using static TorchSharp.torch;

namespace PoFT.Trainer.Model;

/// <summary>A TorchSharp model behind the scorer's backend contract: the same numbers as the exported
/// ONNX graph, computed eagerly (parity checks, `score --backend torch`, benchmarks).</summary>
public sealed class TorchTokenLogProbModel(LlamaForCausalLM model, Placement placement) : ITokenLogProbModel
{
    public static TorchTokenLogProbModel Load(string checkpointDirectory, Placement placement)
    {
        var model = ModelCheckpoint.Load(checkpointDirectory, placement);
        model.eval();
        return new TorchTokenLogProbModel(model, placement);
    }

    /// <summary><see cref="LlamaForCausalLM.TokenLogProbs"/> gathers the scored positions before its head.</summary>
    public bool HeadOnScoredPositions => true;

    public void TokenLogProbs(ReadOnlyMemory<long> inputIds, ReadOnlyMemory<long> attentionMask, ReadOnlyMemory<long> scoreMask, int batch, int seq, Memory<float> output)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = tensor(inputIds.ToArray(), [batch, seq]).to(placement.Device);
        var mask = tensor(attentionMask.ToArray(), [batch, seq]).to(placement.Device);
        var only = scoreMask.IsEmpty ? null : tensor(scoreMask.ToArray(), [batch, seq - 1]).to(placement.Device);
        var logProbs = model.TokenLogProbs(ids, mask, only).cpu();
        logProbs.data<float>().CopyTo(output.Span[..(batch * (seq - 1))]);
    }

    public void Dispose() => model.Dispose();
}
