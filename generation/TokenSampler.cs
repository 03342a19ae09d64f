using TorchSharp;
using static TorchSharp.torch;

namespace PoFT.Generation;

/// <summary>Draws the next token from fp32 logits [vocab] by <see cref="SamplingOptions"/>, with its own seeded
/// generator: one sampler per answer, so an answer depends on its seed only.</summary>
public sealed class TokenSampler(SamplingOptions options) : IDisposable
{
    private readonly Generator _generator = new(unchecked((ulong)options.Seed));

    public int Next(Tensor logits)
    {
        using var scope = NewDisposeScope();
        if (options.IsGreedy)
            return (int)logits.argmax().item<long>();
        var probabilities = (logits.to(ScalarType.Float64).cpu() / options.Temperature).softmax(-1);
        if (options.TopP < 1)
            probabilities = Nucleus(probabilities, options.TopP);
        return (int)multinomial(probabilities, 1, generator: _generator).item<long>();
    }

    /// <summary>Keeps the fewest most-likely tokens whose probabilities sum to at least top_p (the token that crosses
    /// it included, so never none) and zeroes the rest; multinomial renormalises.</summary>
    private static Tensor Nucleus(Tensor probabilities, double topP)
    {
        var (sorted, order) = probabilities.sort(descending: true);
        var before = sorted.cumsum(0) - sorted;
        var kept = sorted.masked_fill(before.ge(topP), 0);
        return zeros_like(probabilities).scatter(0, order, kept);
    }

    public void Dispose() => _generator.Dispose();
}
