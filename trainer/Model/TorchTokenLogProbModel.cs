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

    public void TokenLogProbs(ReadOnlyMemory<long> inputIds, ReadOnlyMemory<long> attentionMask, int batch, int seq, Memory<float> output)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = tensor(inputIds.ToArray(), [batch, seq]).to(placement.Device);
        var mask = tensor(attentionMask.ToArray(), [batch, seq]).to(placement.Device);
        var logProbs = model.TokenLogProbs(ids, mask).cpu();
        logProbs.data<float>().CopyTo(output.Span[..(batch * (seq - 1))]);
    }

    public void Dispose() => model.Dispose();
}
