using System.Diagnostics;
using System.Threading.Channels;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Trainer.Training;

/// <summary>
/// The aligned reference r̄ of every training sample, as the trainer needs it: from the concurrently
/// running scorer's channel, or from a score file. The scorer delivers in the order the trainer asks
/// (<see cref="PoftTrainer.ScoringOrder"/>), so a sample the trainer needs and does not know yet must be
/// in the next batch the channel yields; anything else is an error, never a silent read-ahead. Each
/// sample is scored once; its score stays in memory for later epochs and for checkpoints.
/// </summary>
public sealed class ReferenceScores
{
    private readonly Dictionary<string, PreferenceScore> _known = new(StringComparer.Ordinal);
    private readonly ChannelReader<ScoredBatch>? _scorer;

    /// <summary>Time spent waiting for the scorer.</summary>
    public TimeSpan WaitTime { get; private set; }

    public IReadOnlyDictionary<string, PreferenceScore> Known => _known;

    public ReferenceScores(IEnumerable<PreferenceScore> known, ChannelReader<ScoredBatch>? scorer = null)
    {
        foreach (var score in known)
            _known[score.SampleId] = Checked(score);
        _scorer = scorer;
    }

    /// <summary>The scores of <paramref name="samples"/>, reading the scorer's next batches as far as they
    /// are needed.</summary>
    /// <exception cref="InvalidOperationException">The scorer's next batch does not hold the next sample
    /// needed: it scores in another order than the trainer consumes.</exception>
    public async ValueTask<PreferenceScore[]> For(IReadOnlyList<SftSample> samples, CancellationToken cancellation)
    {
        var scores = new PreferenceScore[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            if (_known.TryGetValue(samples[i].Id, out scores[i]!))
                continue;
            var batch = await Next(samples[i].Id, cancellation);
            if (!_known.TryGetValue(samples[i].Id, out scores[i]!))
                throw new InvalidOperationException($"the scorer delivers in another order than the trainer consumes: the trainer needs sample " +
                    $"'{samples[i].Id}' next, the scorer's next batch holds {string.Join(", ", batch.Scores.Take(4).Select(s => $"'{s.SampleId}'"))}" +
                    $"{(batch.Scores.Count > 4 ? ", …" : "")}");
        }
        return scores;
    }

    /// <summary>Reads the scorer until every sample is scored, in whatever order it delivers (the hard filter
    /// and evaluation need all scores before they start).</summary>
    public async ValueTask WaitForAll(IEnumerable<SftSample> samples, CancellationToken cancellation)
    {
        foreach (var sample in samples)
            while (!_known.ContainsKey(sample.Id))
                await Next(sample.Id, cancellation);
    }

    /// <summary>r̄ enters training here: a non-finite one would make the loss non-finite steps later, far
    /// from its cause.</summary>
    private static PreferenceScore Checked(PreferenceScore score) => double.IsFinite(score.Reference)
        ? score
        : throw new InvalidDataException($"sample '{score.SampleId}': its reference score r̄ is {score.Reference}, not a finite number");

    /// <summary>The scorer's next batch, whose scores are then known.</summary>
    private async ValueTask<ScoredBatch> Next(string wanted, CancellationToken cancellation)
    {
        if (_scorer is null)
            throw new InvalidOperationException($"no score for sample '{wanted}': it is not in the score file");
        var clock = Stopwatch.StartNew();
        try
        {
            if (!await _scorer.WaitToReadAsync(cancellation) || !_scorer.TryRead(out var batch))
                throw new InvalidOperationException($"the scorer finished without scoring sample '{wanted}'");
            foreach (var score in batch.Scores)
                _known[score.SampleId] = Checked(score);
            return batch;
        }
        finally
        {
            WaitTime += clock.Elapsed;
        }
    }
}
