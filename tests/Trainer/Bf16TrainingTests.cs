using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;
using PoFT.Trainer.Training;
using static TorchSharp.torch;

namespace PoFT.Tests.Trainer;

/// <summary>Training with <c>dtype: bfloat16</c> on the CPU, against the same run in fp32, at the paper's lr 1e-6:
/// full fine-tuning keeps its updates in the fp32 master copy (<see cref="MasterWeights"/>), saves it, and resumes
/// from it bit for bit; LoRA's fp32 adapters keep theirs on a bf16 base.</summary>
[Collection(SerialCollection.Name)]
public sealed class Bf16TrainingTests : IDisposable
{
    private const int Vocab = 97;
    private static readonly Placement Bf16 = new(CPU, ScalarType.BFloat16);
    private readonly TempDirectory _temp = new();
    private readonly List<SftSample> _train = PatternData.Make(32, seed: 1, "t");
    private readonly string _base;

    public Bf16TrainingTests() => _base = RandomCheckpoints.Write(_temp.Sub("base"), RandomCheckpoints.Build(attentionBias: true), seed: 11,
        tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(_temp.Sub("tokenizer")));

    public void Dispose() => _temp.Dispose();

    /// <summary>8 CE steps at lr 1e-6, as the issue measured pure bf16 (1.7 % of the weights changed).</summary>
    private static TrainingOptions Options => new()
    {
        Objective = ObjectiveKind.Ce, BatchSize = 4, GradientAccumulation = 1, LearningRate = 1e-6, WarmupRatio = 0, MinLrRatio = 1, MaxSteps = 8, Seed = 3,
    };

    private async Task<TrainingSummary> Train(string output, Placement placement, TrainingOptions options, string? resume = null,
        CancellationToken stop = default, IProgress<StepMetrics>? progress = null)
    {
        // As OnlineTraining loads them: a new run through LoadForTraining, a resumed one through Load.
        using var model = resume is null ? ModelCheckpoint.LoadForTraining(_base, placement, options.Lora, options.Seed) : ModelCheckpoint.Load(resume, placement);
        var trainer = new PoftTrainer(model, placement, options, new TrainingData(_train, [], CharTokenization.For(Vocab)), null, null, [], output,
            tokenizerDirectory: resume ?? _base);
        return await trainer.RunAsync(resume, progress, stop);
    }

    /// <summary>Each saved weight as fp32, by name: a whole checkpoint's tensors, or an adapter's.</summary>
    private static Dictionary<string, float[]> Saved(string directory)
    {
        var adapter = Path.Combine(directory, Checkpoint.AdapterWeightsFile);
        if (File.Exists(adapter))
        {
            using var file = SafetensorsFile.Open(adapter);
            return file.Tensors.Values.ToDictionary(e => e.Name, e => file.ReadFloat32(e));
        }
        using var checkpoint = Checkpoint.Open(directory);
        return ExpectedTensors.For(checkpoint.Config).ToDictionary(s => s.Name, s => checkpoint.ReadFloat32(s.Name));
    }

    private static float RoundToBf16(float value) => tensor(value).to(ScalarType.BFloat16).to(ScalarType.Float32).item<float>();

    [Fact]
    public async Task Full_fine_tuning_in_bf16_changes_every_weight_the_fp32_run_changes_and_tracks_it()
    {
        var fp32 = await Train(_temp.Sub("fp32"), Placement.Cpu, Options);
        var bf16 = await Train(_temp.Sub("bf16"), Bf16, Options);
        var (start, a, b) = (Saved(_base), Saved(fp32.CheckpointDirectory), Saved(bf16.CheckpointDirectory));

        // The checkpoint holds the fp32 master, not its bf16 copy.
        using (var checkpoint = Checkpoint.Open(bf16.CheckpointDirectory))
            Assert.Equal("float32", checkpoint.Config.TorchDtype);
        var (lr, moved, keptByBf16Weights, l1Fp32, l1Gap) = (Options.LearningRate, 0L, 0L, 0.0, 0.0);
        foreach (var (name, initial) in start)
        {
            Assert.True(!a[name].SequenceEqual(initial) && !b[name].SequenceEqual(initial), $"{name}: unchanged by a run");
            for (var i = 0; i < initial.Length; i++)
            {
                double deltaFp32 = a[name][i] - initial[i], deltaBf16 = b[name][i] - initial[i];
                (l1Fp32, l1Gap) = (l1Fp32 + Math.Abs(deltaFp32), l1Gap + Math.Abs(deltaBf16 - deltaFp32));
                // A weight moved less than one step's lr had steps that cancelled out; the bf16 run's may cancel
                // exactly (6 of 19,066 here did, each within 4 fp32 ulps of its start in the fp32 run).
                if (Math.Abs(deltaFp32) < lr)
                    continue;
                moved++;
                Assert.True(deltaBf16 != 0, $"{name}[{i}]: the fp32 run moved it by {deltaFp32:E2}, the bf16 run not at all");
                if (RoundToBf16(b[name][i]) != RoundToBf16(initial[i]))
                    keptByBf16Weights++;
            }
        }
        Assert.True(moved > start.Values.Sum(v => v.Length) / 2, $"only {moved} weights moved by lr or more in the fp32 run");
        // What the master copy is for: rounded to bf16, as weights held in bf16 alone would be, most of the same
        // updates are gone (measured 3.6 % kept; the run without a master, issue 26, kept 1.7 %).
        Assert.True(keptByBf16Weights < moved / 10, $"{keptByBf16Weights} of {moved} changes survive rounding to bf16: lr 1e-6 does not test the master copy");
        // Tracking: AdamW moves each weight by about lr a step whatever its gradient's scale (m̂/√v̂ ≈ ±1 for a
        // steady gradient), so the two runs differ only where bf16's forward and backward (relative rounding 2⁻⁸)
        // change the sign or the steadiness of a weight's gradient. Measured: Σ|Δw_bf16 − Δw_fp32| is 0.63 % of
        // the fp32 run's Σ|Δw|; the bound is 5 %, room for other seeds and libtorch builds, where a run that lost
        // its updates would sit at ~100 % and one whose updates went astray at ~140 % (independent signs).
        Assert.True(l1Gap < 0.05 * l1Fp32, $"Σ|Δw_bf16 − Δw_fp32| = {l1Gap:E3} against Σ|Δw_fp32| = {l1Fp32:E3}");
    }

    [Fact]
    public async Task LoRA_on_a_bf16_base_changes_every_adapter_weight_the_fp32_run_changes()
    {
        var options = Options with { Lora = new LoraOptions { R = 4, Alpha = 8, Dropout = 0 } };
        var fp32 = Saved((await Train(_temp.Sub("fp32"), Placement.Cpu, options)).CheckpointDirectory);
        var bf16 = Saved((await Train(_temp.Sub("bf16"), Bf16, options)).CheckpointDirectory);
        using var first = ModelCheckpoint.LoadForTraining(_base, Placement.Cpu, options.Lora, options.Seed);
        Assert.Null(first.Master);
        var start = first.Lora!.Weights.ToDictionary(w => w.Name, w => w.Weight.detach().contiguous().data<float>().ToArray());
        var changed = 0;
        foreach (var (name, initial) in start)
        {
            for (var i = 0; i < initial.Length; i++)
            {
                // As for full fine-tuning: a weight moved less than one step's lr had steps that cancelled out.
                if (Math.Abs(fp32[name][i] - initial[i]) < options.LearningRate)
                    continue;
                changed++;
                Assert.True(bf16[name][i] != initial[i], $"{name}[{i}]: the fp32 run moved it, the bf16-base run not");
            }
        }
        Assert.True(changed > start.Values.Sum(v => v.Length) / 2, $"only {changed} adapter weights moved by lr or more in the fp32 run");
    }

    [Fact]
    public async Task A_bf16_run_interrupted_and_resumed_from_its_master_equals_an_uninterrupted_one_bit_for_bit()
    {
        // lr 1e-3: updates large enough that the bf16 copy changes too, so the resumed forward passes depend on
        // the master being restored exactly (its bf16 rounding alone would resume from other weights).
        var options = Options with { LearningRate = 1e-3, MaxSteps = 6 };
        var straight = await Train(_temp.Sub("straight"), Bf16, options);
        var broken = _temp.Sub("broken");
        using var stop = new CancellationTokenSource();
        var interrupted = await Train(broken, Bf16, options, stop: stop.Token, progress: new Synchronous<StepMetrics>(m => { if (m.Step == 2) stop.Cancel(); }));
        Assert.True(interrupted.Interrupted);
        var resumed = await Train(broken, Bf16, options, resume: interrupted.CheckpointDirectory);

        Assert.Equal(6, resumed.Steps);
        Assert.Equal(Losses(_temp.Sub("straight")), Losses(broken));
        var (a, b) = (Saved(straight.CheckpointDirectory), Saved(resumed.CheckpointDirectory));
        Assert.All(a, kv => Assert.Equal(kv.Value, b[kv.Key]));
        // The checkpoint resumed from held weights that bf16 cannot hold: the master's own values.
        Assert.Contains(Saved(interrupted.CheckpointDirectory).Values.SelectMany(v => v), v => RoundToBf16(v) != v);
    }

    [Fact]
    public void Loading_for_full_fine_tuning_in_bf16_keeps_the_checkpoints_fp32_values_as_the_master()
    {
        using var model = ModelCheckpoint.LoadForTraining(_base, Bf16, lora: null, seed: 0);
        Assert.NotNull(model.Master);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        var saved = Saved(_base);
        Assert.All(model.Master!.Values, kv => Assert.Equal(saved[kv.Key], kv.Value.contiguous().data<float>().ToArray()));
        using var fp32 = ModelCheckpoint.LoadForTraining(_base, Placement.Cpu, lora: null, seed: 0);
        Assert.Null(fp32.Master);
        using var scoring = ModelCheckpoint.Load(_base, Bf16);
        Assert.Null(scoring.Master);
    }

    private static List<double> Losses(string output) =>
        [.. File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Select(l => JsonNode.Parse(l)!).Where(n => (string?)n["kind"] == "step").Select(n => (double)n["loss"]!)];

    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
