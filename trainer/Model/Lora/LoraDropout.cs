using static TorchSharp.torch;

namespace PoFT.Trainer.Model.Lora;

/// <summary>
/// The adapters' dropout, drawn from a generator of its own rather than the process-wide one: the trainer
/// reseeds it from (seed, step, micro-batch) before each forward, so a resumed run draws the same masks as an
/// uninterrupted one, whatever else used random numbers in between.
/// </summary>
public sealed class LoraDropout(double probability, Device device) : IDisposable
{
    private readonly Generator _generator = new(0, device);

    public void Seed(long seed, int step, int microBatch) =>
        _generator.manual_seed(unchecked((long)SplitMix(SplitMix(SplitMix((ulong)seed) ^ (ulong)step) ^ (ulong)microBatch)));

    // HashCode.Combine is randomised per process; a resume in another process must derive the same seed.
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

    public Tensor Apply(Tensor x)
    {
        if (probability == 0)
            return x;
        var keep = empty_like(x).bernoulli_(1 - probability, generator: _generator);
        return x * keep / (1 - probability);
    }

    public void Dispose() => _generator.Dispose();
}
