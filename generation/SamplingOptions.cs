using PoFT.Shared;

namespace PoFT.Generation;

/// <summary>How the next token is drawn and when decoding ends.</summary>
/// <param name="Temperature">0: greedy (the most likely token, ties to the lowest id); above: softmax(logits / T).</param>
/// <param name="TopP">Nucleus sampling: draw among the most likely tokens whose probabilities first reach
/// <paramref name="TopP"/> together (1: all of them), as transformers' TopPLogitsWarper keeps them.</param>
/// <param name="Seed">Seeds the torch generator that draws, so that the same seed gives the same answer.</param>
/// <param name="MaxNewTokens">The answer stops after this many tokens if no stop rule ends it first.</param>
public sealed record SamplingOptions(double Temperature = 0, double TopP = 1, long Seed = 0, int MaxNewTokens = 256)
{
    public static SamplingOptions Greedy(int maxNewTokens) => new(MaxNewTokens: maxNewTokens);

    public bool IsGreedy => Temperature == 0;

    /// <exception cref="PoftUserException">A value out of its range, named by its flag.</exception>
    public SamplingOptions Validated()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
            throw new PoftUserException($"--temperature {Temperature}: expected a number ≥ 0 (0 is greedy)");
        if (!(TopP > 0 && TopP <= 1))
            throw new PoftUserException($"--top-p {TopP}: expected a number in (0, 1]");
        if (MaxNewTokens < 1)
            throw new PoftUserException($"--max-new-tokens {MaxNewTokens}: expected a whole number ≥ 1");
        return this;
    }
}
