using PoFT.Generation;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using static TorchSharp.torch;

namespace PoFT.Tests.Generation;

/// <summary>Incremental decoding with the KV cache computes what the whole sequence run again computes, for every
/// model shape: sliding windows (Mistral, Phi-3, Gemma's sliding layers) shorter than the sequences, Gemma's local
/// RoPE θ and softcaps, Qwen3's q/k norms, longrope crossing original_max_position_embeddings (7 here).</summary>
public class KvCacheTests
{
    private static readonly long[] Prompt = [5, 17, 3, 88, 41];

    /// <summary>The reference: the training forward (attention mask and all) over the whole sequence, last row.</summary>
    private static Tensor FullLastLogits(LlamaForCausalLM model, IReadOnlyList<long> ids)
    {
        using var input = tensor(ids.ToArray(), [1, ids.Count]);
        using var mask = ones_like(input);
        using var logits = model.forward(input, mask);
        return logits[0, -1].to(ScalarType.Float32).clone();
    }

    /// <summary>Weights of RandomCheckpoints' spread, whose logits are far from uniform (a fresh model's 0.02 are not).</summary>
    internal static LlamaForCausalLM Model(string variant, int seed)
    {
        using var temp = new TempDirectory();
        return ModelCheckpoint.Load(RandomCheckpoints.Write(temp.File("model"), RandomCheckpoints.Config(variant), seed), Placement.Cpu);
    }

    private static StopRule NeverStop => new([], null, ids => string.Join(" ", ids));

    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void Greedy_generation_is_the_argmax_of_a_full_forward_at_every_step(string variant)
    {
        using var model = Model(variant, seed: 21);
        var answer = new TokenGenerator(model).Generate([.. Prompt.Select(i => (int)i)], SamplingOptions.Greedy(24), NeverStop);
        Assert.Equal(24, answer.Tokens.Count);
        Assert.Equal(StopReason.MaxNewTokens, answer.Stop);
        using var _ = no_grad();
        var ids = Prompt.ToList();
        foreach (var token in answer.Tokens)
        {
            using var logits = FullLastLogits(model, ids);
            Assert.Equal(logits.argmax().item<long>(), token);
            ids.Add(token);
        }
    }

    /// <summary>Sampling draws varied tokens (greedy decoding of random weights tends to repeat one): with the same seed,
    /// the cached decoding draws what the full re-run draws.</summary>
    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void Sampled_generation_with_the_cache_equals_it_without(string variant)
    {
        using var model = Model(variant, seed: 24);
        var options = new SamplingOptions(Temperature: 1.0, Seed: 5, MaxNewTokens: 24);
        int[] prompt = [.. Prompt.Select(i => (int)i)];
        var cached = new TokenGenerator(model).Generate(prompt, options, NeverStop).Tokens;
        var uncached = new TokenGenerator(model) { UseCache = false }.Generate(prompt, options, NeverStop).Tokens;
        Assert.Equal(uncached, cached);
        Assert.True(cached.Distinct().Count() > 3, $"{variant}: {string.Join(" ", cached)}");
    }

    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void Logits_with_the_cache_equal_logits_without_it(string variant)
    {
        var config = RandomCheckpoints.Config(variant);
        using var model = Model(variant, seed: 22);
        model.eval();
        using var _ = no_grad();
        long[] sequence = [.. Prompt, 9, 60, 2, 77, 31, 4, 4, 50, 12, 90, 1, 33, 8, 70, 15];
        using var cache = model.NewCache();
        for (var end = Prompt.Length; end <= sequence.Length; end++)
        {
            // The prompt in one piece, then a token at a time; longrope's stale keys are rebuilt as the generator does.
            if (TokenGenerator.RopeTableChanged(config, cache.Length, end))
                cache.Dispose();
            var fresh = sequence[(int)cache.Length..end];
            using var input = tensor(fresh, [1, fresh.Length]);
            using var cached = model.NextTokenLogits(input, cache);
            using var full = FullLastLogits(model, sequence[..end]);
            Assert.Equal(end, cache.Length);
            var difference = (cached[0] - full).abs().max().item<float>();
            Assert.True(difference < 1e-4f, $"{variant}: at {end} tokens the cached logits differ by {difference}");
        }
    }

    [Fact]
    public void A_cache_that_lost_the_sliding_window_would_be_caught()
    {
        // The window-3 model attends differently when its window is ignored: the parity tests above can fail.
        var windowed = RandomCheckpoints.Config("mistral-window-3");
        using var a = ModelCheckpoint.CreateFresh(windowed, seed: 23);
        using var b = ModelCheckpoint.CreateFresh(windowed with { SlidingWindow = null }, seed: 23);
        using var _ = no_grad();
        long[] sequence = [.. Prompt, 9, 60, 2];
        using var la = FullLastLogits(a, sequence);
        using var lb = FullLastLogits(b, sequence);
        Assert.True((la - lb).abs().max().item<float>() > 1e-3f);
    }
}
