using System.Diagnostics;
using System.Threading.Channels;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Trainer.Training;

/// <summary>
/// The aligned reference r̄ of every training sample, as the trainer needs it: from the concurrently
/// running scorer's channel (which delivers samples in the trainer's order), or from a score file. Each
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
            _known[score.SampleId] = score;
        _scorer = scorer;
    }

    public async ValueTask<PreferenceScore[]> For(IReadOnlyList<SftSample> samples, CancellationToken cancellation)
    {
        var scores = new PreferenceScore[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            while (!_known.TryGetValue(samples[i].Id, out scores[i]!))
                await ReadMore(samples[i].Id, cancellation);
        }
        return scores;
    }

    /// <summary>Waits until every sample is scored (the hard filter needs all scores before training).</summary>
    public async ValueTask WaitForAll(IEnumerable<SftSample> samples, CancellationToken cancellation)
    {
        foreach (var sample in samples)
            while (!_known.ContainsKey(sample.Id))
                await ReadMore(sample.Id, cancellation);
    }

    private async ValueTask ReadMore(string wanted, CancellationToken cancellation)
    {
        if (_scorer is null)
            throw new InvalidOperationException($"no score for sample '{wanted}': it is not in the score file");
        var clock = Stopwatch.StartNew();
        try
        {
            if (!await _scorer.WaitToReadAsync(cancellation))
                throw new InvalidOperationException($"the scorer finished without scoring sample '{wanted}'");
            while (_scorer.TryRead(out var batch))
                foreach (var score in batch.Scores)
                    _known[score.SampleId] = score;
        }
        finally
        {
            WaitTime += clock.Elapsed;
        }
    }
}
