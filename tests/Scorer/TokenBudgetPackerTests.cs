using PoFT.Scorer.Pipeline;

namespace PoFT.Tests.Scorer;

public class TokenBudgetPackerTests
{
    [Fact]
    public void Every_sample_is_packed_exactly_once_within_the_budget()
    {
        var random = new Random(1);
        var lengths = Enumerable.Range(0, 500).Select(_ => random.Next(1, 700)).ToArray();
        var batches = TokenBudgetPacker.Pack(lengths, tokenBudget: 2048);
        Assert.Equal(Enumerable.Range(0, lengths.Length), batches.SelectMany(b => b).Order());
        Assert.All(batches, b => Assert.True(b.Length * b.Max(i => lengths[i]) <= 2048));
    }

    [Fact]
    public void A_sample_longer_than_the_budget_gets_a_batch_of_its_own()
    {
        var batches = TokenBudgetPacker.Pack([10, 5000, 20], tokenBudget: 1024);
        Assert.Contains(batches, b => b.SequenceEqual([1]));
    }

    [Fact]
    public void Padding_stays_under_ten_percent_on_a_realistic_length_mix()
    {
        // Chat data lengths are roughly log-normal: most samples short, a long tail (median ~e^5.5 ≈ 245).
        var random = new Random(7);
        var lengths = Enumerable.Range(0, 256).Select(_ =>
        {
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return (int)Math.Clamp(Math.Exp(5.5 + 0.8 * normal), 16, 4096);
        }).ToArray();
        var batches = TokenBudgetPacker.Pack(lengths, tokenBudget: 8192);
        var padded = batches.Sum(b => (long)b.Length * b.Max(i => lengths[i]));
        var padding = 1 - (double)lengths.Sum() / padded;
        Assert.InRange(padding, 0, 0.10);
        // The reference implementation's layout (every sample padded to 4096) wastes most of its compute.
        Assert.True(1 - (double)lengths.Sum() / (lengths.Length * 4096L) > 0.9);
    }

    [Fact]
    public void The_scored_budget_bounds_each_batchs_scored_tokens_as_well()
    {
        var random = new Random(3);
        var lengths = Enumerable.Range(0, 300).Select(_ => random.Next(2, 600)).ToArray();
        var scored = lengths.Select(l => random.Next(1, l)).ToArray();

        var batches = TokenBudgetPacker.Pack(lengths, tokenBudget: 8192, scored, scoredBudget: 1000);

        Assert.Equal(Enumerable.Range(0, lengths.Length), batches.SelectMany(b => b).Order());
        Assert.All(batches, b => Assert.True(b.Length * b.Max(i => lengths[i]) <= 8192));
        Assert.All(batches.Where(b => b.Length > 1), b => Assert.True(b.Sum(i => scored[i]) <= 1000, $"{b.Sum(i => scored[i])} scored tokens"));
        // The second budget is what splits them: the padded budget alone packs fewer, larger batches.
        Assert.True(batches.Count > TokenBudgetPacker.Pack(lengths, tokenBudget: 8192).Count);
    }

    [Fact]
    public void Prompt_heavy_samples_pack_by_padded_tokens_when_the_head_runs_only_where_scored()
    {
        // 128k vocabulary: 512 MiB of logits and their log-softmax is 523 rows. With few scored tokens per sample, the batch holds
        // as many samples as the padded budget allows rather than 1046 tokens' worth.
        var budget = BatchBudget.For(128_256, headOnScoredPositions: true, layerBytesPerToken: 4 * (3 * 1024 + 6 * 384));
        var all = BatchBudget.For(128_256, headOnScoredPositions: false);
        int[] lengths = [.. Enumerable.Repeat(1000, 16)];
        int[] scored = [.. Enumerable.Repeat(50, 16)];

        var byScored = TokenBudgetPacker.Pack(lengths, budget.PaddedTokens, scored, budget.ScoredTokens);
        var byPadded = TokenBudgetPacker.Pack(lengths, all.PaddedTokens, null, all.ScoredTokens);

        Assert.Equal((523, 8192, 523), (all.PaddedTokens, budget.PaddedTokens, budget.ScoredTokens));
        Assert.Equal(2, byScored.Count);
        Assert.Equal(16, byPadded.Count);
    }

    [Fact]
    public void With_the_head_where_scored_one_layers_activations_bound_the_padded_tokens_by_the_same_bytes()
    {
        var llama8b = PoFT.Checkpoints.ModelConfig.Llama(128_256, hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kvHeads: 8);
        var budget = BatchBudget.For(llama8b, headOnScoredPositions: true);

        // 4 · (3 · 14336 + 6 · 4096) bytes a token: 512 MiB hold 1,985 of them.
        Assert.Equal((512L << 20) / (4L * (3 * 14336 + 6 * 4096)), budget.PaddedTokens);
        Assert.Equal((512L << 20) / (2 * 4L * 128_256), budget.ScoredTokens);
        Assert.Equal(new BatchBudget(4000, budget.ScoredTokens), BatchBudget.For(llama8b, headOnScoredPositions: true, paddedTokens: 4000));
        Assert.Equal(new BatchBudget(budget.ScoredTokens, int.MaxValue), BatchBudget.For(llama8b, headOnScoredPositions: false));
    }
}
