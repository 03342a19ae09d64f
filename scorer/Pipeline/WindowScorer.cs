using System.Buffers;
using System.Diagnostics;
using PoFT.Text.Chat;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Pipeline;

/// <summary>Scores one window of tokenized samples with one model: packs by its batch budget, runs each batch
/// right-padded with the response tokens as the score mask, and sums each sample's response-token log-probs.</summary>
internal static class WindowScorer
{
    public static ModelScore[] Score(IReadOnlyList<TokenizedSample> window, AlignedScorerModel model, ModelStatistics statistics,
        CancellationToken cancellation)
    {
        var scores = new ModelScore[window.Count];
        var budget = model.Budget;
        var lengths = window.Select(s => s.TokenIds.Length).ToArray();
        var scored = model.Model.HeadOnScoredPositions ? window.Select(s => s.ResponseTokenCount).ToArray() : null;
        foreach (var batch in TokenBudgetPacker.Pack(lengths, budget.PaddedTokens, scored, budget.ScoredTokens))
        {
            cancellation.ThrowIfCancellationRequested();
            var seq = batch.Max(i => window[i].TokenIds.Length);
            var cells = batch.Length * seq;
            var positions = batch.Length * (seq - 1);
            var ids = ArrayPool<long>.Shared.Rent(cells);
            var mask = ArrayPool<long>.Shared.Rent(cells);
            var wanted = ArrayPool<long>.Shared.Rent(positions);
            var output = ArrayPool<float>.Shared.Rent(positions);
            try
            {
                Array.Clear(ids, 0, cells);
                Array.Clear(mask, 0, cells);
                Array.Clear(wanted, 0, positions);
                for (var b = 0; b < batch.Length; b++)
                {
                    var sample = window[batch[b]];
                    for (var t = 0; t < sample.TokenIds.Length; t++)
                    {
                        ids[b * seq + t] = sample.TokenIds[t];
                        mask[b * seq + t] = 1;
                        // Output position t − 1 predicts token t.
                        if (t > 0 && sample.ResponseMask[t])
                            wanted[b * (seq - 1) + t - 1] = 1;
                    }
                }
                var clock = Stopwatch.StartNew();
                model.Model.TokenLogProbs(ids.AsMemory(0, cells), mask.AsMemory(0, cells), wanted.AsMemory(0, positions), batch.Length, seq, output);
                statistics.InferenceTime += clock.Elapsed;
                for (var b = 0; b < batch.Length; b++)
                    scores[batch[b]] = Sum(window[batch[b]], output.AsSpan(b * (seq - 1), seq - 1), model.Name, statistics);
                statistics.Batches++;
                statistics.PaddedTokens += cells;
            }
            finally
            {
                ArrayPool<long>.Shared.Return(ids);
                ArrayPool<long>.Shared.Return(mask);
                ArrayPool<long>.Shared.Return(wanted);
                ArrayPool<float>.Shared.Return(output);
            }
        }
        return scores;
    }

    private static ModelScore Sum(TokenizedSample sample, ReadOnlySpan<float> logProbs, string modelName, ModelStatistics statistics)
    {
        double sum = 0;
        var count = 0;
        // Token t is predicted at output position t − 1; token 0 has no prediction.
        for (var t = 1; t < sample.TokenIds.Length; t++)
        {
            if (!sample.ResponseMask[t])
                continue;
            sum += logProbs[t - 1];
            count++;
        }
        if (count == 0)
            throw new InvalidDataException($"sample '{sample.Id}': no response token to score");
        // Checked here, where the number leaves the model: later it is only a NaN in r̄ or in a score file.
        if (!double.IsFinite(sum))
            throw new InvalidDataException($"aligned model '{modelName}': sample '{sample.Id}': its response-token log-probs sum to {sum}; " +
                "the model's output is not finite (diverged or corrupt weights?)");
        statistics.Samples++;
        statistics.Tokens += sample.TokenIds.Length;
        statistics.ResponseTokens += count;
        return new ModelScore(sum, count);
    }
}
