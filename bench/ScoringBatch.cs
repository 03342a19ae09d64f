using PoFT.Scorer.Pipeline;
using PoFT.Text.Chat;
using PoFT.Shared.Scoring;

namespace PoFT.Bench;

/// <summary>One right-padded [batch, seq] input, ready for a backend, with its score mask (the response
/// tokens, as the scorer passes them); <see cref="UsefulTokens"/> are the real (non-padding) tokens in it.</summary>
public sealed record ScoringBatch(long[] InputIds, long[] AttentionMask, long[] ScoreMask, int Batch, int Seq, long UsefulTokens)
{
    public long PaddedTokens => (long)Batch * Seq;

    public long ScoredTokens => ScoreMask.Count(m => m != 0);

    /// <summary>The scorer's way: batches that fit its budget, padded only to their longest sample.</summary>
    public static List<ScoringBatch> Packed(IReadOnlyList<TokenizedSample> samples, BatchBudget budget) =>
        [.. TokenBudgetPacker.Pack([.. samples.Select(s => s.TokenIds.Length)], budget.PaddedTokens,
                [.. samples.Select(s => s.ResponseTokenCount)], budget.ScoredTokens)
            .Select(batch => Pad([.. batch.Select(i => samples[i])], batch.Max(i => samples[i].TokenIds.Length)))];

    /// <summary>The reference implementation's way: a fixed number of samples per batch, each padded to the
    /// maximum length.</summary>
    public static List<ScoringBatch> PaddedToMax(IReadOnlyList<TokenizedSample> samples, int batchSize, int maxLength) =>
        [.. samples.Chunk(batchSize).Select(batch => Pad(batch, maxLength))];

    /// <returns>Seconds to score every batch with <paramref name="model"/>.</returns>
    public static double Score(ITokenLogProbModel model, IReadOnlyList<ScoringBatch> batches)
    {
        var output = new float[batches.Max(b => b.Batch * (b.Seq - 1))];
        return Measurement.Seconds(() =>
        {
            foreach (var b in batches)
                model.TokenLogProbs(b.InputIds, b.AttentionMask, b.ScoreMask, b.Batch, b.Seq, output);
        });
    }

    private static ScoringBatch Pad(IReadOnlyList<TokenizedSample> samples, int seq)
    {
        var ids = new long[samples.Count * seq];
        var mask = new long[samples.Count * seq];
        var scored = new long[samples.Count * (seq - 1)];
        for (var b = 0; b < samples.Count; b++)
            for (var t = 0; t < samples[b].TokenIds.Length; t++)
            {
                ids[b * seq + t] = samples[b].TokenIds[t];
                mask[b * seq + t] = 1;
                if (t > 0 && samples[b].ResponseMask[t])
                    scored[b * (seq - 1) + t - 1] = 1;
            }
        return new ScoringBatch(ids, mask, scored, samples.Count, seq, samples.Sum(s => (long)s.TokenIds.Length));
    }
}
