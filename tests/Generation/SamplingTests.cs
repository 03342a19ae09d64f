using PoFT.Generation;
using PoFT.Shared;
using static TorchSharp.torch;

namespace PoFT.Tests.Generation;

public class SamplingTests
{
    private static readonly int[] Prompt = [5, 17, 3, 88, 41];
    private static StopRule NeverStop => new([], null, ids => string.Join(" ", ids));

    private static IReadOnlyList<int> Sample(double temperature, long seed, double topP = 1)
    {
        using var model = KvCacheTests.Model("gqa-untied-llama3-rope", seed: 31);
        return new TokenGenerator(model).Generate(Prompt, new SamplingOptions(temperature, topP, seed, MaxNewTokens: 20), NeverStop).Tokens;
    }

    [Fact]
    public void Seeded_sampling_is_reproducible_and_another_seed_draws_otherwise()
    {
        var first = Sample(1.5, seed: 7);
        Assert.Equal(first, Sample(1.5, seed: 7));
        Assert.NotEqual(first, Sample(1.5, seed: 8));
        // Sampling at this temperature is not greedy decoding.
        Assert.NotEqual(first, Sample(0, seed: 7));
    }

    [Fact]
    public void A_nucleus_smaller_than_the_top_token_is_greedy_decoding()
    {
        Assert.Equal(Sample(0, seed: 1), Sample(1.0, seed: 5, topP: 1e-6));
    }

    [Fact]
    public void Top_p_keeps_the_fewest_tokens_that_reach_it()
    {
        // p = [0.5, 0.3, 0.15, 0.05]: top_p 0.7 keeps the first two (0.5 < 0.7 ≤ 0.8), so token 2 and 3 are never drawn.
        using var logits = tensor(new[] { 0.5f, 0.3f, 0.15f, 0.05f }).log();
        var drawn = new HashSet<int>();
        for (var seed = 0; seed < 200; seed++)
        {
            using var sampler = new TokenSampler(new SamplingOptions(1.0, 0.7, seed));
            drawn.Add(sampler.Next(logits));
        }
        Assert.Equal([0, 1], drawn.Order());
    }

    [Fact]
    public void Generation_stops_at_a_stop_token_and_leaves_it_out()
    {
        using var model = KvCacheTests.Model("gqa-untied-llama3-rope", seed: 32);
        var free = new TokenGenerator(model).Generate(Prompt, SamplingOptions.Greedy(12), NeverStop).Tokens;
        var k = Enumerable.Range(1, free.Count - 1).First(i => !free.Take(i).Contains(free[i]));
        var stopped = new TokenGenerator(model).Generate(Prompt, SamplingOptions.Greedy(12), new StopRule([free[k]], null, ids => string.Join(" ", ids)));
        Assert.Equal(StopReason.EndOfTurn, stopped.Stop);
        Assert.Equal(free.Take(k), stopped.Tokens);
    }

    [Fact]
    public void Generation_stops_at_a_text_end_of_turn_and_cuts_the_answer_before_it()
    {
        using var model = KvCacheTests.Model("gqa-untied-llama3-rope", seed: 32);
        var free = new TokenGenerator(model).Generate(Prompt, SamplingOptions.Greedy(12), NeverStop).Tokens;
        // Each id decodes as <id>; the end-of-turn text is the fourth token's, so the answer ends before its first occurrence.
        static string Decode(IReadOnlyList<int> ids) => string.Concat(ids.Select(i => $"<{i}>"));
        var stopped = new TokenGenerator(model).Generate(Prompt, SamplingOptions.Greedy(12), new StopRule([], $"<{free[3]}>", Decode));
        var firstAt = free.ToList().IndexOf(free[3]);
        Assert.Equal(StopReason.EndOfTurn, stopped.Stop);
        Assert.Equal(Decode([.. free.Take(firstAt)]), stopped.Text);
    }

    [Theory]
    [InlineData(-1, 1, 4, "--temperature")]
    [InlineData(0, 0, 4, "--top-p")]
    [InlineData(0, 1.5, 4, "--top-p")]
    [InlineData(0, 1, 0, "--max-new-tokens")]
    public void Out_of_range_options_are_refused_by_flag(double temperature, double topP, int maxNewTokens, string flag)
    {
        var e = Assert.Throws<PoftUserException>(() => new SamplingOptions(temperature, topP, 0, maxNewTokens).Validated());
        Assert.StartsWith(flag, e.Message);
    }
}
