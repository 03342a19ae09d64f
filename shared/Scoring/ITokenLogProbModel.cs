namespace PoFT.Shared.Scoring;

/// <summary>
/// A causal LM that scores token sequences: ONNX Runtime (scorer) and TorchSharp (trainer) implement it
/// with the same contract as the exported graph's <c>token_logprobs</c> output.
/// </summary>
public interface ITokenLogProbModel : IDisposable
{
    /// <summary>True when the LM head runs only at the positions asked for, so a batch's logits are
    /// scored tokens × vocabulary rather than padded tokens × vocabulary (the scorer's batch budget).</summary>
    bool HeadOnScoredPositions { get; }

    /// <param name="inputIds">[batch, seq] row-major.</param>
    /// <param name="attentionMask">[batch, seq] row-major, 1 for tokens, 0 for padding.</param>
    /// <param name="scoreMask">[batch, seq − 1] row-major, aligned with the output: nonzero where the log-prob
    /// is wanted; empty for every position.</param>
    /// <param name="output">[batch, seq − 1] row-major: log p(token t+1 | ≤ t), 0 where t or t+1 is padding
    /// and where <paramref name="scoreMask"/> is 0.</param>
    void TokenLogProbs(ReadOnlyMemory<long> inputIds, ReadOnlyMemory<long> attentionMask, ReadOnlyMemory<long> scoreMask, int batch, int seq, Memory<float> output);
}

public static class TokenLogProbModelExtensions
{
    /// <summary>Every position's log-prob.</summary>
    public static void TokenLogProbs(this ITokenLogProbModel model, ReadOnlyMemory<long> inputIds, ReadOnlyMemory<long> attentionMask, int batch, int seq, Memory<float> output) =>
        model.TokenLogProbs(inputIds, attentionMask, ReadOnlyMemory<long>.Empty, batch, seq, output);
}
