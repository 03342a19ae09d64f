using PoFT.Checkpoints;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using static TorchSharp.torch;

namespace PoFT.Tests.Model;

public class TorchModelPropertyTests
{
    private static Tensor Ids(params long[][] rows)
    {
        var width = rows.Max(r => r.Length);
        return tensor(rows.SelectMany(r => r.Concat(Enumerable.Repeat(0L, width - r.Length))).ToArray(), [rows.Length, width]);
    }

    private static Tensor Mask(params long[][] rows)
    {
        var width = rows.Max(r => r.Length);
        return tensor(rows.SelectMany(r => Enumerable.Repeat(1L, r.Length).Concat(Enumerable.Repeat(0L, width - r.Length))).ToArray(), [rows.Length, width]);
    }

    private static float[] LogProbs(LlamaForCausalLM model, params long[][] rows)
    {
        using var _ = no_grad();
        return model.TokenLogProbs(Ids(rows), Mask(rows)).data<float>().ToArray();
    }

    /// <summary>The model's state dict is the checkpoint contract, name for name and shape for shape: Hugging Face's
    /// names, with Phi-3's fused projections as the split ones the checkpoint reader hands out.</summary>
    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void The_model_has_exactly_the_expected_parameters(string variant)
    {
        var config = RandomCheckpoints.Config(variant);
        using var model = new LlamaForCausalLM(config);
        var parameters = model.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        var expected = ExpectedTensors.Model(config);
        Assert.Equal(expected.Select(s => s.Name).Order(), parameters.Keys.Order());
        Assert.All(expected, s => Assert.Equal(s.Shape, parameters[s.Name]));
    }

    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void Changing_token_t_never_changes_log_probs_before_t(string variant)
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config(variant), seed: 11);
        long[] a = [5, 17, 3, 88, 41, 9, 60, 2];
        const int t = 5;
        var b = (long[])a.Clone();
        b[t] = 77;
        var pa = LogProbs(model, a);
        var pb = LogProbs(model, b);
        // Output t−1 predicts token t from tokens < t: it changes (its target changed); outputs < t−1 must not.
        for (var i = 0; i < t - 1; i++)
            Assert.Equal(pa[i], pb[i]);
        Assert.NotEqual(pa[t - 1], pb[t - 1]);
        Assert.NotEqual(pa[t], pb[t]);
    }

    [Theory]
    [MemberData(nameof(RandomCheckpoints.Variants), MemberType = typeof(RandomCheckpoints))]
    public void A_sample_scores_the_same_alone_and_batched_with_longer_samples(string variant)
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config(variant), seed: 12);
        long[] shortSample = [4, 8, 15, 16, 23];
        long[] longSample = [42, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89];
        var alone = LogProbs(model, shortSample);
        var batched = LogProbs(model, longSample, shortSample);
        var width = longSample.Length - 1;
        for (var i = 0; i < alone.Length; i++)
            Assert.Equal(alone[i], batched[width + i], 1e-5f);
        // Positions whose target is padding score exactly zero.
        Assert.All(batched.Skip(width + alone.Length), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Save_then_load_gives_identical_outputs()
    {
        using var temp = new TempDirectory();
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("qwen2-bias-kv1"), seed: 13);
        ModelCheckpoint.Save(model, temp.Path, tokenizerDirectory: null);
        using var loaded = ModelCheckpoint.Load(temp.Path, Placement.Cpu);
        long[] sample = [3, 1, 4, 1, 5, 9, 2, 6];
        Assert.Equal(LogProbs(model, sample), LogProbs(loaded, sample));
    }

    [Fact]
    public void Fresh_models_depend_only_on_config_and_seed()
    {
        var config = RandomCheckpoints.Config("gqa-tied");
        long[] sample = [7, 7, 3, 90, 12];
        using var a = ModelCheckpoint.CreateFresh(config, seed: 1);
        using var b = ModelCheckpoint.CreateFresh(config, seed: 1);
        using var c = ModelCheckpoint.CreateFresh(config, seed: 2);
        Assert.Equal(LogProbs(a, sample), LogProbs(b, sample));
        Assert.NotEqual(LogProbs(a, sample), LogProbs(c, sample));
    }

    [Fact]
    public void Token_log_probs_equal_the_full_log_softmax_at_the_next_token()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("mha-untied"), seed: 14);
        long[] sample = [1, 2, 3, 4, 50, 96];
        using var _ = no_grad();
        var full = model.forward(Ids(sample), Mask(sample)).log_softmax(-1);
        var fast = LogProbs(model, sample);
        for (var t = 0; t < sample.Length - 1; t++)
            Assert.Equal(full[0, t, sample[t + 1]].item<float>(), fast[t], 1e-5f);
    }

    [Fact]
    public void Scoring_only_chosen_positions_gives_their_values_and_gradients_and_zero_elsewhere()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-untied-llama3-rope"), seed: 17);
        long[][] rows = [[3, 9, 27, 81, 12, 5, 44], [7, 14, 28]];
        var only = tensor(new float[] { 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0 }, [2, 6]);
        var dense = model.TokenLogProbs(Ids(rows), Mask(rows));
        var chosen = model.TokenLogProbs(Ids(rows), Mask(rows), only);
        var expected = (dense * only).data<float>().ToArray();
        var actual = chosen.data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 1e-5f);
        Assert.Equal(5, actual.Count(v => v != 0));

        (dense * only).sum().backward();
        var denseGrads = model.parameters().Select(p => p.grad!.clone()).ToList();
        model.zero_grad();
        chosen.sum().backward();
        foreach (var (a, b) in denseGrads.Zip(model.parameters().Select(p => p.grad!)))
            Assert.True(allclose(a, b, rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void Bfloat16_placement_scores_close_to_float32_and_keeps_log_probs_in_float32()
    {
        using var temp = new TempDirectory();
        var checkpoint = RandomCheckpoints.Write(temp.Path, RandomCheckpoints.Config("gqa-untied-llama3-rope"), seed: 15);
        using var fp32 = ModelCheckpoint.Load(checkpoint, Placement.Cpu);
        using var bf16 = ModelCheckpoint.Load(checkpoint, Placement.Resolve("cpu", "bfloat16"));
        long[] sample = [4, 8, 15, 16, 23, 42, 7, 9];
        using var _ = no_grad();
        var low = bf16.TokenLogProbs(Ids(sample), Mask(sample));
        Assert.Equal(ScalarType.Float32, low.dtype);
        var a = LogProbs(fp32, sample);
        var b = low.data<float>().ToArray();
        Assert.NotEqual(a, b);
        for (var i = 0; i < a.Length; i++)
            Assert.Equal(a[i], b[i], 0.15f);
    }

    /// <summary>Each layer looks back sliding_window − 1 tokens, so L layers see (window − 1)·L back: a token
    /// farther away changes nothing, one just inside changes the log-prob; a sequence within the window
    /// scores as with no window at all.</summary>
    [Fact]
    public void A_Mistral_sliding_window_limits_what_each_position_sees_to_its_receptive_field()
    {
        var config = RandomCheckpoints.Build(architecture: "MistralForCausalLM", layers: 2) with { SlidingWindow = 4 };
        using var model = ModelCheckpoint.CreateFresh(config, seed: 16);
        using var unwindowed = ModelCheckpoint.CreateFresh(config with { SlidingWindow = null }, seed: 16);
        long[] sample = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        // Position 9 predicts token 10 from tokens 3…9 (6 back) and not from tokens 0…2.
        var reach = (config.SlidingWindow!.Value - 1) * config.NumHiddenLayers;
        var farEdited = (long[])sample.Clone();
        farEdited[9 - reach - 1] = 50;
        var nearEdited = (long[])sample.Clone();
        nearEdited[9 - reach] = 50;
        var (baseline, far, near) = (LogProbs(model, sample), LogProbs(model, farEdited), LogProbs(model, nearEdited));
        Assert.Equal(baseline[9], far[9], 1e-6f);
        Assert.NotEqual(baseline[9], near[9], 1e-4f);
        // Within the window (4 tokens) nothing is cut off.
        Assert.Equal(LogProbs(unwindowed, sample[..4]), LogProbs(model, sample[..4]), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.NotEqual(LogProbs(unwindowed, sample)[9], baseline[9], 1e-4f);
        // What lies beyond reach may as well be absent: RoPE's scores depend on relative positions only.
        Assert.Equal(baseline[9], LogProbs(model, sample[1..])[8], 1e-5f);
    }
}
