using System.Text.Json.Nodes;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Trainer;

/// <summary>DPO through the trainer: the reference is the starting checkpoint, scored by the scorer pipeline
/// (TorchSharp backend here; ONNX Runtime in the CLI tests) and streamed in the trainer's order.</summary>
[Collection(SerialCollection.Name)]
public sealed class DpoTrainingTests : IDisposable
{
    private const int Vocab = 97;
    private readonly TempDirectory _temp = new();
    private readonly string _start;
    private readonly List<PreferencePair> _train = Pairs(PatternData.Make(32, seed: 1, "t"));
    private readonly List<PreferencePair> _eval = Pairs(PatternData.Make(12, seed: 2, "e"));

    public DpoTrainingTests()
    {
        _start = _temp.Sub("start");
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("mha-untied"), seed: 3);
        ModelCheckpoint.Save(model, _start, tokenizerDirectory: null);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>The pattern's answer is chosen; the same letters in reverse order, rejected.</summary>
    private static List<PreferencePair> Pairs(List<SftSample> samples) =>
        [.. samples.Select(s => PreferencePair.Of(s.Id, [s.Messages[0]], [s.Messages[1]],
            [new ChatMessage(ChatMessage.Assistant, new string([.. s.Messages[1].Content.Reverse()]))]))];

    private static TrainingOptions Options => new()
    {
        Objective = ObjectiveKind.Dpo,
        LearningRate = 3e-3,
        BatchSize = 4,
        GradientAccumulation = 2,
        Epochs = 3,
        Seed = 5,
    };

    private ReferenceScores Scores(TorchTokenLogProbModel reference, IReadOnlyList<SftSample> order) =>
        new([], new ScoringPipeline([new AlignedScorerModel("reference", 1, CharTokenization.For(Vocab), reference, new BatchBudget(256, int.MaxValue))],
            new ScoringPipelineOptions { WindowSize = 8 }).Start(order, batchSize: 4));

    private async Task<TrainingSummary> Train(string output, TrainingOptions options, string? resume = null, CancellationToken stop = default,
        IProgress<StepMetrics>? progress = null)
    {
        using var reference = TorchTokenLogProbModel.Load(_start, Placement.Cpu);
        using var model = resume is null ? ModelCheckpoint.LoadForTraining(_start, Placement.Cpu, options.Lora, options.Seed) : ModelCheckpoint.Load(resume, Placement.Cpu);
        var data = new TrainingData([], [], CharTokenization.For(Vocab)) { TrainPairs = _train, EvalPairs = _eval };
        var known = resume is null ? [] : ScoreFile.Read(Path.Combine(resume, TrainerState.ScoresFile)).Select(r => r.ToPreferenceScore()).ToList();
        var order = PoftTrainer.ScoringOrder(data, options, known.Select(s => s.SampleId).ToHashSet());
        var online = Scores(reference, order);
        // Scored before training starts, so that no inference runs beside the steps of runs compared bit for bit.
        await online.WaitForAll(order, CancellationToken.None);
        var evalScores = Scores(reference, [.. _eval.SelectMany(p => p.Samples)]);
        await evalScores.WaitForAll(_eval.SelectMany(p => p.Samples), CancellationToken.None);
        var trainer = new PoftTrainer(model, Placement.Cpu, options, data, new ReferenceScores([.. known, .. online.Known.Values]), evalScores,
            [ReferenceModelName], output, tokenizerDirectory: null);
        return await trainer.RunAsync(resume, progress, stop);
    }

    private const string ReferenceModelName = "reference";

    private static List<JsonNode> Metrics(string output, string kind) =>
        [.. File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).Where(n => n["kind"]!.GetValue<string>() == kind)];

    private static double Value(JsonNode record, string key) => record[key]!.GetValue<double>();

    [Fact]
    public async Task At_the_start_the_policy_is_its_reference_loss_log_2_and_zero_margins()
    {
        var output = _temp.Sub("run");
        await Train(output, Options with { EvalOnStart = true, MaxSteps = 1 });
        var step = Metrics(output, "step")[0];
        Assert.Equal(Math.Log(2), Value(step, "loss"), 1e-5);
        foreach (var key in new[] { "rewards/chosen", "rewards/rejected", "rewards/margins" })
            Assert.Equal(0, Value(step, key), 1e-5);
        var start = Metrics(output, "eval")[0];
        Assert.Equal(Math.Log(2), Value(start, "preference_loss"), 1e-5);
        Assert.Equal(_eval.Count, start["pairs"]!.GetValue<int>());
        Assert.True(Value(step, "logps/chosen") < 0 && Value(step, "logps/rejected") < 0);
    }

    [Fact]
    public async Task DPO_learns_to_prefer_the_chosen_completions_on_held_out_pairs()
    {
        var output = _temp.Sub("run");
        await Train(output, Options with { EvalOnStart = true });
        var (before, after) = (Metrics(output, "eval")[0], Metrics(output, "eval")[^1]);
        Assert.True(Value(after, "rewards/margins") > 0.5, $"held-out margin {Value(after, "rewards/margins"):F3}");
        Assert.True(Value(after, "rewards/accuracies") > 0.8, $"held-out reward accuracy {Value(after, "rewards/accuracies"):F3}");
        Assert.True(Value(after, "preference_loss") < Value(before, "preference_loss") - 0.1);
        Assert.True(Value(after, "logps/accuracies") >= Value(before, "logps/accuracies"));
    }

    /// <summary>With LoRA the policy is the frozen base plus an adapter that starts at zero: the reference, exactly.</summary>
    [Fact]
    public async Task A_LoRA_policy_starts_at_its_reference_and_learns_the_preference()
    {
        var output = _temp.Sub("run");
        await Train(output, Options with { EvalOnStart = true, LearningRate = 1e-2, Lora = new PoFT.Trainer.Model.Lora.LoraOptions { R = 4, Dropout = 0 } });
        Assert.Equal(Math.Log(2), Value(Metrics(output, "step")[0], "loss"), 1e-5);
        var last = Metrics(output, "eval")[^1];
        Assert.True(Value(last, "rewards/margins") > 0 && Value(last, "preference_loss") < Math.Log(2) - 0.003,
            $"held-out margin {Value(last, "rewards/margins"):F4}, loss {Value(last, "preference_loss"):F4}");
    }

    [Theory]
    [InlineData(DpoLossType.Sigmoid, 0.1)]
    [InlineData(DpoLossType.Ipo, 0.0)]
    [InlineData(DpoLossType.Robust, 0.2)]
    public async Task Interrupted_then_resumed_equals_an_uninterrupted_run_step_for_step(DpoLossType lossType, double labelSmoothing)
    {
        var options = Options with { LossType = lossType, LabelSmoothing = labelSmoothing };
        var straight = _temp.Sub("straight");
        await Train(straight, options);

        var broken = _temp.Sub("broken");
        using var stop = new CancellationTokenSource();
        var interrupted = await Train(broken, options, stop: stop.Token, progress: new SynchronousProgress<StepMetrics>(m => { if (m.Step == 4) stop.Cancel(); }));
        Assert.True(interrupted.Interrupted);
        var resumed = await Train(broken, options, resume: interrupted.CheckpointDirectory);
        Assert.False(resumed.Interrupted);

        // Continuous numbers only: rewards/accuracies counts strict wins, and near step 0 every reward is a tie
        // within float rounding, so one bit of difference would flip it.
        string[] keys = ["loss", "rewards/margins", "rewards/chosen", "logps/chosen"];
        var (expected, actual) = (Metrics(straight, "step"), Metrics(broken, "step"));
        Assert.Equal(expected.Count, actual.Count);
        // To fp32 rounding, relative: IPO's squared margins reach tens, where one ulp is 2e-6.
        static void Same(double want, double got) => Assert.Equal(want, got, 1e-6 * Math.Max(1, Math.Abs(want)));
        for (var i = 0; i < expected.Count; i++)
            foreach (var key in keys)
                Same(Value(expected[i], key), Value(actual[i], key));
        Same(Value(Metrics(straight, "eval")[^1], "rewards/margins"), Value(Metrics(broken, "eval")[^1], "rewards/margins"));
    }

    [Fact]
    public async Task A_reference_that_tokenized_otherwise_is_refused_naming_the_sample()
    {
        var data = new TrainingData([], [], CharTokenization.For(Vocab)) { TrainPairs = _train };
        // Reference sums over one token fewer than the policy's completion: another tokenization.
        var scores = new ReferenceScores(_train.SelectMany(p => p.Samples).Select(s =>
            new PreferenceScore(s.Id, [new ModelScore(-3, CharTokenization.For(Vocab)(s).ResponseTokenCount - 1)], -1)));
        using var model = ModelCheckpoint.Load(_start, Placement.Cpu);
        var trainer = new PoftTrainer(model, Placement.Cpu, Options, data, scores, null, [ReferenceModelName], _temp.Sub("run"), null);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => trainer.RunAsync(null, null, CancellationToken.None));
        Assert.Contains("completion tokens", error.Message);
        Assert.Contains("/chosen'", error.Message);
    }

    [Fact]
    public void SFT_samples_are_refused_for_DPO_and_pairs_for_the_SFT_objectives()
    {
        var sft = new TrainingData(PatternData.Make(4, 1, "s"), [], CharTokenization.For(Vocab));
        Assert.Contains("preference pairs", Assert.Throws<InvalidOperationException>(() => sft.Examples(ObjectiveKind.Dpo)).Message);
        var pairs = new TrainingData([], [], CharTokenization.For(Vocab)) { TrainPairs = _train };
        Assert.Contains("objective 'dpo'", Assert.Throws<InvalidOperationException>(() => pairs.Examples(ObjectiveKind.Poft)).Message);
        Assert.Equal(_train.Count, pairs.Examples(ObjectiveKind.Dpo).Count);
        Assert.All(pairs.Examples(ObjectiveKind.Dpo), e => Assert.EndsWith("/chosen", e[0].Id));
    }

    [Fact]
    public void Held_out_pairs_are_refused_for_the_SFT_objectives()
    {
        var data = new TrainingData(PatternData.Make(4, 1, "s"), [], CharTokenization.For(Vocab)) { EvalPairs = _eval };
        Assert.Contains("objective 'dpo' only", Assert.Throws<InvalidOperationException>(() => data.Examples(ObjectiveKind.Poft)).Message);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
