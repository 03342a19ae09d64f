using PoFT.Shared.Data;

namespace PoFT.Trainer.Training;

/// <summary>What each epoch of a run trains on: the run's examples — a sample alone for the single-sample
/// objectives, a pair's chosen and rejected completions together for DPO (<see cref="TrainingData.Examples"/>),
/// less those the hard filter drops — in a fresh order each epoch (<see cref="EpochSampler"/>), cut into
/// micro-batches of <c>batch_size</c> examples.</summary>
public sealed class EpochExamples(IReadOnlyList<IReadOnlyList<SftSample>> examples, int seed, int batchSize)
{
    private readonly EpochSampler _sampler = new(examples.Count, seed);

    public int Count => examples.Count;

    /// <summary>The epoch's samples in the order it trains them.</summary>
    public IEnumerable<SftSample> Samples(int epoch) => _sampler.Order(epoch).SelectMany(i => examples[i]);

    /// <summary>The epoch's micro-batches in order, each its samples (a pair's chosen completion, then its rejected one).</summary>
    public IReadOnlyList<IReadOnlyList<SftSample>> MicroBatches(int epoch) =>
        [.. _sampler.Order(epoch).Select(i => examples[i]).Chunk(batchSize).Select(chunk => (IReadOnlyList<SftSample>)[.. chunk.SelectMany(e => e)])];
}
