using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Pipeline;

/// <summary>
/// IFD's two passes through one pipeline: each sample followed by its <see cref="ResponseOnlySample"/>, and the records
/// made once both halves are scored. Batches come out in input order, so a pair is at most one batch apart; the halves
/// are matched by object, not id, so no id of the data can be mistaken for a response-only copy. <see cref="Interleave"/>
/// runs on the pipeline's producer and <see cref="Complete"/> on its consumer, at the same time: the map they share is
/// a concurrent one (a plain Dictionary written from both threads broke its buckets: IndexOutOfRangeException in a
/// 1,667-sample run).
/// </summary>
internal sealed class IfdPairs
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SftSample, SftSample> _originalOf = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SftSample, PreferenceScore> _withPrompt = new(ReferenceEqualityComparer.Instance);

    public IEnumerable<SftSample> Interleave(IEnumerable<SftSample> samples)
    {
        foreach (var sample in samples)
        {
            var responseOnly = ResponseOnlySample.Of(sample);
            _originalOf[responseOnly] = sample;
            yield return sample;
            yield return responseOnly;
        }
    }

    /// <summary>The records of the samples whose two halves are now both scored, in input order.</summary>
    public List<ScoreRecord> Complete(ScoredBatch batch, IReadOnlyList<string> modelNames)
    {
        var records = new List<ScoreRecord>();
        for (var i = 0; i < batch.Samples.Count; i++)
        {
            if (!_originalOf.TryRemove(batch.Samples[i], out var original))
                _withPrompt.Add(batch.Samples[i], batch.Scores[i]);
            else if (_withPrompt.Remove(original, out var withPrompt))
                records.Add(ScoreRecord.From(withPrompt, batch.Scores[i] with { SampleId = original.Id }, modelNames));
            else
                throw new InvalidOperationException($"sample '{original.Id}': its response-only pass came out before the pass with its prompt");
        }
        return records;
    }
}
