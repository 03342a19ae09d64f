using System.Text.Json.Nodes;
using System.Threading.Channels;
using PoFT.Checkpoints;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;
using static TorchSharp.torch;

namespace PoFT.Tests.Trainer;

/// <summary>LoRA training: only the adapter trains, its checkpoint is PEFT's layout without the base, and a run
/// resumed from it continues bit for bit, dropout included.</summary>
[Collection(SerialCollection.Name)]
public sealed class LoraTrainingTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly LoraRuns _runs;

    public LoraTrainingTests() => _runs = new LoraRuns(_temp);

    public void Dispose() => _temp.Dispose();

    private static Dictionary<string, float[]> Snapshot(LlamaForCausalLM model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray());

    [Fact]
    public async Task Two_steps_change_every_adapter_tensor_and_leave_every_base_tensor_bit_identical()
    {
        using var model = _runs.Load(LoraRuns.Options);
        var before = Snapshot(model);
        // Two steps: B starts at zero, so A's gradient is zero until B has moved.
        await _runs.Trainer(model, _temp.Sub("run"), LoraRuns.Options with { MaxSteps = 2 }).RunAsync(null, null, CancellationToken.None);
        var after = Snapshot(model);

        using var checkpoint = Checkpoint.Open(_runs.Base);
        var baseNames = ExpectedTensors.For(LoraRuns.Config).Select(s => s.Name).ToList();
        Assert.Contains(baseNames, n => n.EndsWith("q_proj.bias", StringComparison.Ordinal));
        foreach (var name in baseNames)
        {
            Assert.Equal(checkpoint.ReadFloat32(name), before[name]);
            Assert.Equal(before[name], after[name]);
        }
        var adapterNames = after.Keys.Except(baseNames).ToList();
        Assert.Equal(2 * 7 * LoraRuns.Config.NumHiddenLayers, adapterNames.Count);
        Assert.All(adapterNames, n => Assert.Matches(@"\.lora_[AB]\.weight$", n));
        Assert.All(adapterNames.Where(n => n.Contains("lora_B")), n => Assert.All(before[n], v => Assert.Equal(0f, v)));
        Assert.All(adapterNames, n => Assert.NotEqual(before[n], after[n]));
        Assert.Equal(adapterNames.Order(), model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).Order());
    }

    [Fact]
    public async Task The_checkpoint_holds_the_adapter_under_PEFTs_names_and_config_keys_and_no_base_weights()
    {
        var summary = await _runs.Train(_temp.Sub("run"), LoraRuns.Options with { MaxSteps = 1 });
        var directory = summary.CheckpointDirectory;

        Assert.Equal(
            // final/: no optimizer.bin, which only step checkpoints hold.
            [Checkpoint.AdapterConfigFile, Checkpoint.AdapterWeightsFile, BaseFingerprint.FileName, "tokenizer.json", TrainerState.FileName],
            Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // PEFT's rule, written out here: base_model.model. + the module's path in the transformers model +
        // .lora_A.weight [r, in] / .lora_B.weight [out, r].
        var c = LoraRuns.Config;
        var (q, kv, hidden, ffn, r) = (c.NumAttentionHeads * c.HeadDim, c.NumKeyValueHeads * c.HeadDim, c.HiddenSize, c.IntermediateSize, LoraRuns.Lora.R);
        var projections = new (string Path, long In, long Out)[]
        {
            ("self_attn.q_proj", hidden, q), ("self_attn.k_proj", hidden, kv), ("self_attn.v_proj", hidden, kv), ("self_attn.o_proj", q, hidden),
            ("mlp.gate_proj", hidden, ffn), ("mlp.up_proj", hidden, ffn), ("mlp.down_proj", ffn, hidden),
        };
        var expected = Enumerable.Range(0, c.NumHiddenLayers).SelectMany(i => projections.SelectMany(p => new[]
        {
            ($"base_model.model.model.layers.{i}.{p.Path}.lora_A.weight", new[] { r, p.In }),
            ($"base_model.model.model.layers.{i}.{p.Path}.lora_B.weight", new[] { p.Out, r }),
        })).ToDictionary(e => e.Item1, e => e.Item2);
        using var weights = SafetensorsFile.Open(Path.Combine(directory, Checkpoint.AdapterWeightsFile));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), weights.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.All(weights.Tensors.Values, e => Assert.Equal(expected[e.Name], e.Shape));
        Assert.All(weights.Tensors.Values, e => Assert.Equal(SafetensorsDType.F32, e.DType));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, Checkpoint.AdapterConfigFile)))!.AsObject();
        Assert.Equal("LORA", (string?)config["peft_type"]);
        Assert.Equal("CAUSAL_LM", (string?)config["task_type"]);
        Assert.Equal(_runs.Base, (string?)config["base_model_name_or_path"]);
        Assert.Equal(4, (int)config["r"]!);
        Assert.Equal(8.0, (double)config["lora_alpha"]!);
        Assert.Equal(0.1, (double)config["lora_dropout"]!);
        Assert.Equal(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
            config["target_modules"]!.AsArray().Select(m => (string)m!));
        Assert.Equal("none", (string?)config["bias"]);
        foreach (var key in new[] { "fan_in_fan_out", "use_rslora", "use_dora" })
            Assert.False((bool)config[key]!, key);
        Assert.True((bool)config["init_lora_weights"]!);
        Assert.True((bool)config["inference_mode"]!);
        foreach (var key in new[] { "modules_to_save", "layers_to_transform", "revision" })
            Assert.True(config.ContainsKey(key) && config[key] is null, key);
    }

    [Fact]
    public async Task Interrupted_then_resumed_equals_an_uninterrupted_run_bit_for_bit_with_dropout()
    {
        var options = LoraRuns.Options with { Epochs = 2 };
        var straightOutput = _temp.Sub("straight");
        var straight = await _runs.Train(straightOutput, options);

        var broken = _temp.Sub("broken");
        using var stop = new CancellationTokenSource();
        var interrupted = await _runs.Train(broken, options, stop: stop.Token,
            progress: new Synchronous<StepMetrics>(m => { if (m.Step == 2) stop.Cancel(); }));
        Assert.True(interrupted.Interrupted);
        Assert.Equal(2, interrupted.Steps);
        var resumed = await _runs.Train(broken, options, resume: interrupted.CheckpointDirectory);

        Assert.Equal(6, straight.Steps);
        Assert.Equal(Losses(straightOutput), Losses(broken));
        using var a = SafetensorsFile.Open(Path.Combine(straight.CheckpointDirectory, Checkpoint.AdapterWeightsFile));
        using var b = SafetensorsFile.Open(Path.Combine(resumed.CheckpointDirectory, Checkpoint.AdapterWeightsFile));
        Assert.All(a.Tensors.Values, e => Assert.Equal(a.ReadBytes(e), b.ReadBytes(b[e.Name])));
    }

    [Fact]
    public async Task Dropout_is_on_in_these_runs_so_the_exact_resume_covers_its_seeding()
    {
        var (with, without) = (_temp.Sub("with"), _temp.Sub("without"));
        await _runs.Train(with, LoraRuns.Options with { MaxSteps = 2 });
        await _runs.Train(without, LoraRuns.Options with { MaxSteps = 2, Lora = LoraRuns.Lora with { Dropout = 0 } });
        Assert.NotEqual(Losses(with), Losses(without));
    }

    [Fact]
    public void A_dropout_mask_depends_on_seed_step_micro_batch_and_projection_only()
    {
        using var dropout = new PoFT.Trainer.Model.Lora.LoraDropout(0.5, CPU);
        using var x = ones(64, 64);
        float[] Mask(int step, int microBatch, int projection)
        {
            dropout.Seed(3, step, microBatch);
            return dropout.Apply(x, projection).data<float>().ToArray();
        }
        var first = Mask(4, 1, 7);
        _ = Mask(9, 0, 2);
        // Drawn again for the same micro-batch and projection, as a recomputed forward would: the same mask.
        Assert.Equal(first, Mask(4, 1, 7));
        Assert.NotEqual(first, Mask(4, 1, 8));
        Assert.NotEqual(first, Mask(4, 0, 7));
        Assert.NotEqual(first, Mask(5, 1, 7));
        Assert.All(first, v => Assert.True(v is 0f or 2f));
    }

    [Theory]
    [InlineData("{\"target_modules\": [\"q_proj\", \"qkv_proj\"]}", "training.lora.target_modules: 'qkv_proj'")]
    [InlineData("{\"r\": 0}", "training.lora.r: 0")]
    [InlineData("{\"dropout\": 1}", "training.lora.dropout: 1")]
    [InlineData("{\"base_dtype\": \"float16\"}", "training.lora.base_dtype: 'float16'")]
    public void Lora_options_no_run_can_use_are_refused_naming_the_field(string json, string message)
    {
        var lora = System.Text.Json.JsonSerializer.Deserialize<PoFT.Trainer.Model.Lora.LoraOptions>(json, TrainerState.Json)!;
        var error = Assert.Throws<ArgumentException>(() => (LoraRuns.Options with { Lora = lora }).Validate());
        Assert.StartsWith(message, error.Message);
    }

    /// <summary>A model and LoRA options that do not match are refused before the run waits for scores: here for a
    /// scorer that never delivers, which the hard filter waits on before the first step.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_LoRA_mismatch_is_refused_at_once_not_after_waiting_for_scores(bool adapterAttached)
    {
        var options = LoraRuns.Options with { Objective = ObjectiveKind.Poft, KeepTopPercent = 50 };
        using var model = _runs.Load(adapterAttached ? options : options with { Lora = null });
        var scorer = Channel.CreateUnbounded<ScoredBatch>();
        var trainer = _runs.Trainer(model, _temp.Sub("run"), adapterAttached ? options with { Lora = null } : options, scores: new ReferenceScores([], scorer.Reader));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => trainer.RunAsync(null, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(adapterAttached ? "training.lora is null" : "no adapter attached", error.Message);
        scorer.Writer.Complete();
    }

    private static List<double> Losses(string output) =>
        [.. File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Select(l => JsonNode.Parse(l)!).Where(n => (string?)n["kind"] == "step").Select(n => (double)n["loss"]!)];

    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
