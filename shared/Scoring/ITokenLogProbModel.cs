namespace PoFT.Shared.Scoring;

/// <summary>
/// A causal LM that scores token sequences: ONNX Runtime (scorer) and TorchSharp (trainer) implement it
/// with the same contract as the exported graph's <c>token_logprobs</c> output.
/// </summary>
public interface ITokenLogProbModel : IDisposable
{
    /// <param name="inputIds">[batch, seq] row-major.</param>
    /// <param name="attentionMask">[batch, seq] row-major, 1 for tokens, 0 for padding.</param>
    /// <param name="output">[batch, seq − 1] row-major: log p(token t+1 | ≤ t), 0 where t or t+1 is padding.</param>
    void TokenLogProbs(ReadOnlyMemory<long> inputIds, ReadOnlyMemory<long> attentionMask, int batch, int seq, Memory<float> output);
}
