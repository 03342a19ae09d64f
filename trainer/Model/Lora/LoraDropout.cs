using static TorchSharp.torch;

namespace PoFT.Trainer.Model.Lora;

/// <summary>
/// The adapters' dropout, drawn from a generator of its own rather than the process-wide one. Each mask is
/// seeded from (seed, step, micro-batch) — set by the trainer before each forward — and the wrapped projection's
/// index, so a resumed run draws the same masks as an uninterrupted one whatever else used random numbers in
/// between, and a forward recomputed within the same micro-batch (gradient checkpointing) draws the same mask.
/// </summary>
public sealed class LoraDropout(double probability, Device device) : IDisposable
{
    private readonly Generator _generator = new(0, device);
    private ulong _microBatchSeed;

    public void Seed(long seed, int step, int microBatch) =>
        _microBatchSeed = SplitMix(SplitMix(SplitMix((ulong)seed) ^ (ulong)step) ^ (ulong)microBatch);

    /// <param name="projection">The wrapped projection's index in the model: each draws its own mask.</param>
    public Tensor Apply(Tensor x, int projection)
    {
        if (probability == 0)
            return x;
        _generator.manual_seed(unchecked((long)SplitMix(_microBatchSeed ^ (ulong)projection)));
        using var scope = NewDisposeScope();
        // A bool mask, as torch's dropout keeps: the backward pass holds one byte per element, not four.
        var keep = empty_like(x).bernoulli_(1 - probability, generator: _generator).to(ScalarType.Bool);
        return (x * keep * (1 / (1 - probability))).MoveToOuterDisposeScope();
    }

    public void Dispose() => _generator.Dispose();

    // Not HashCode.Combine, which is randomised per process: a resume in another process must derive the same seeds.
    private static ulong SplitMix(ulong x)
    {
        unchecked
        {
            x += 0x9E3779B97F4A7C15;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
            return x ^ (x >> 31);
        }
    }
}
