using System.Text.Json.Nodes;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;
using PoFT.Trainer.Training.TensorBoard;

namespace PoFT.Tests.Trainer;

[Collection(SerialCollection.Name)]
public sealed class TrainingRunTests : IDisposable
{
    private const int Vocab = 97;
    private readonly TempDirectory _temp = new();
    private readonly TorchTokenLogProbModel _aligned;
    private readonly List<SftSample> _train = PatternData.Make(48, seed: 1, "t");
    private readonly List<SftSample> _eval = PatternData.Make(16, seed: 2, "e");

    public TrainingRunTests()
    {
        _aligned = TorchTokenLogProbModel.Load(RandomCheckpoints.Write(_temp.Sub("aligned"), RandomCheckpoints.Config("gqa-tied"), seed: 7), Placement.Cpu);
    }

    public void Dispose()
    {
        _aligned.Dispose();
        _temp.Dispose();
    }

    private static TrainingOptions Options => new()
    {
        Objective = ObjectiveKind.Poft,
        LearningRate = 3e-3,
        BatchSize = 8,
        GradientAccumulation = 2,
        Epochs = 3,
        WarmupRatio = 0.1,
        Seed = 5,
    };

    private ReferenceScores OnlineScores(IReadOnlyList<SftSample> order, Func<SftSample, PoFT.Text.Chat.TokenizedSample>? tokenize = null)
    {
        var pipeline = new ScoringPipeline([new AlignedScorerModel("aligned", 1, tokenize ?? CharTokenization.For(Vocab), _aligned, new BatchBudget(256, int.MaxValue))],
            new ScoringPipelineOptions { WindowSize = 16 });
        return new ReferenceScores([], pipeline.Start(order, batchSize: 8));
    }

    /// <param name="scoreFirst">Let the scorer finish before training starts, so that no scoring runs
    /// beside the training steps (for bit-exact comparisons between runs).</param>
    private async Task<TrainingSummary> Train(string output, TrainingOptions options, string? resume = null, CancellationToken stop = default,
        IProgress<StepMetrics>? progress = null, Func<SftSample, PoFT.Text.Chat.TokenizedSample>? alignedTokenize = null, bool scoreFirst = false)
    {
        using var model = resume is null
            ? ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("mha-untied"), seed: 3)
            : ModelCheckpoint.Load(resume, Placement.Cpu);
        var known = resume is null ? [] : PoFT.Shared.Scoring.ScoreFile.Read(Path.Combine(resume, TrainerState.ScoresFile)).Select(r => r.ToPreferenceScore());
        var first = PoftTrainer.ScoringOrder(new TrainingData(_train, [], CharTokenization.For(Vocab)), options, new HashSet<string>());
        var trainScores = resume is null ? OnlineScores(first, alignedTokenize) : new ReferenceScores(known);
        if (scoreFirst)
            await trainScores.WaitForAll(_train, CancellationToken.None);
        var evalScores = OnlineScores(_eval);
        await evalScores.WaitForAll(_eval, CancellationToken.None);
        var trainer = new PoftTrainer(model, Placement.Cpu, options, new TrainingData(_train, _eval, CharTokenization.For(Vocab)),
            trainScores, evalScores, ["aligned"], output, tokenizerDirectory: null);
        return await trainer.RunAsync(resume, progress, stop);
    }

    private static List<JsonNode> Metrics(string output, string kind) =>
        [.. File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).Where(n => n["kind"]!.GetValue<string>() == kind)];

    [Fact]
    public async Task Online_PoFT_training_lowers_held_out_cross_entropy()
    {
        var output = _temp.Sub("run");
        var shown = new ShownEvaluations();
        var summary = await Train(output, Options, progress: shown);
        var evals = Metrics(output, "eval");
        Assert.Equal(3, evals.Count);
        // Each evaluation reaches the display as it happens; the summary keeps the best and the last.
        Assert.Equal(evals.Select(e => e["held_out_ce"]!.GetValue<double>()), shown.Evaluations.Select(e => e.HeldOutCe!.Value));
        Assert.Equal(shown.Evaluations.MinBy(e => e.HeldOutCe)!.Step, summary.BestEval!.Step);
        Assert.Equal(shown.Evaluations[^1], summary.FinalEval);
        var before = -PoftTrainerProbe.InitialMeanRTheta(_eval);
        var after = evals[^1]["held_out_ce"]!.GetValue<double>();
        Assert.True(after < before - 0.5, $"held-out CE {before:F3} → {after:F3}");
        Assert.Equal(9, summary.Steps);
        Assert.True(File.Exists(Path.Combine(summary.CheckpointDirectory, "model.safetensors")));
        var steps = Metrics(output, "step");
        Assert.All(steps, s => Assert.InRange(s["tau_mean"]!.GetValue<double>(), 0, 1));
    }

    [Fact]
    public async Task DFT_trains_without_reference_scores_and_lowers_held_out_cross_entropy()
    {
        var output = _temp.Sub("dft");
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("mha-untied"), seed: 3);
        var trainer = new PoftTrainer(model, Placement.Cpu, Options with { Objective = ObjectiveKind.Dft, Epochs = 2 },
            new TrainingData(_train, _eval, CharTokenization.For(Vocab)), null, null, [], output, tokenizerDirectory: null);
        var summary = await trainer.RunAsync(null, null, CancellationToken.None);
        Assert.Equal(6, summary.Steps);
        var before = -PoftTrainerProbe.InitialMeanRTheta(_eval);
        var after = Metrics(output, "eval")[^1]["held_out_ce"]!.GetValue<double>();
        Assert.True(after < before - 0.1, $"held-out CE {before:F3} → {after:F3}");
        Assert.All(Metrics(output, "step"), s => Assert.True(double.IsFinite(s["loss"]!.GetValue<double>())));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Interrupted_then_resumed_equals_an_uninterrupted_run_step_for_step(bool gradientCheckpointing)
    {
        var options = Options with { GradientCheckpointing = gradientCheckpointing };
        var straight = _temp.Sub("straight");
        await Train(straight, options, scoreFirst: true);

        var broken = _temp.Sub("broken");
        using var stop = new CancellationTokenSource();
        var interrupted = await Train(broken, options, stop: stop.Token, scoreFirst: true,
            progress: new SynchronousProgress<StepMetrics>(m => { if (m.Step == 4) stop.Cancel(); }));
        Assert.True(interrupted.Interrupted);
        Assert.Equal(4, interrupted.Steps);
        var resumed = await Train(broken, options, resume: interrupted.CheckpointDirectory);
        Assert.False(resumed.Interrupted);

        var expected = Metrics(straight, "step").Select(s => s["loss"]!.GetValue<double>()).ToList();
        var actual = Metrics(broken, "step").Select(s => s["loss"]!.GetValue<double>()).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i], actual[i], 1e-6);
        Assert.Equal(Metrics(straight, "eval")[^1]["held_out_ce"]!.GetValue<double>(), Metrics(broken, "eval")[^1]["held_out_ce"]!.GetValue<double>(), 1e-6);
    }

    [Fact]
    public async Task TensorBoard_holds_each_scalar_at_its_step_and_a_resume_logs_no_step_twice()
    {
        var output = _temp.Sub("tensorboard");
        await Train(output, Options with { CheckpointEvery = 4 }, scoreFirst: true);
        var logs = Path.Combine(output, TensorBoardLog.FolderName);
        var first = TensorBoardLog.EventFiles(logs);
        Assert.Single(first);
        AssertMatchesMetrics(output, [TensorBoardEvents.Read(first[0])]);

        // As if killed after the checkpoint of step 4 with steps 5-9 already logged: the resumed run trains them again.
        await Train(output, Options with { CheckpointEvery = 4 }, resume: Path.Combine(output, PoftTrainer.CheckpointsFolder, "step-000004"));
        var files = TensorBoardLog.EventFiles(logs);
        Assert.Equal(2, files.Count);
        var contents = files.Select(TensorBoardEvents.Read).ToList();
        Assert.All(contents, c => Assert.Equal("brain.Event:2", c.FileVersion));
        Assert.Equal(4, contents[0].Scalars.Where(s => s.Tag == "train/loss").Max(s => s.Step));
        Assert.Equal(5, contents[1].Scalars.Where(s => s.Tag == "train/loss").Min(s => s.Step));
        AssertMatchesMetrics(output, contents);
    }

    [Fact]
    public async Task TensorBoard_off_writes_no_event_files()
    {
        var output = _temp.Sub("quiet");
        await Train(output, Options with { TensorBoard = false, MaxSteps = 1 });
        Assert.False(Directory.Exists(Path.Combine(output, TensorBoardLog.FolderName)));
    }

    /// <summary>Every step's and evaluation's scalars in the event files, each once, equal to metrics.jsonl's values.</summary>
    private static void AssertMatchesMetrics(string output, List<TensorBoardEvents.Contents> contents)
    {
        var scalars = contents.SelectMany(c => c.Scalars).ToList();
        Assert.Equal(scalars.Count, scalars.DistinctBy(s => (s.Tag, s.Step)).Count());
        void Check(string kind, string tag, string field)
        {
            var expected = Metrics(output, kind).Where(m => m[field] is not null).Select(m => (Step: m["step"]!.GetValue<long>(), Value: m[field]!.GetValue<double>())).ToList();
            var actual = scalars.Where(s => s.Tag == tag).OrderBy(s => s.Step).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Select(e => e.Step), actual.Select(a => a.Step));
            foreach (var (e, a) in expected.Zip(actual))
                Assert.Equal(e.Value, a.Value, Math.Abs(e.Value) * 1e-6 + 1e-9);
        }
        Check("step", "train/loss", "loss");
        Check("step", "train/learning_rate", "lr");
        Check("step", "train/grad_norm", "grad_norm");
        Check("step", "train/tau_mean", "tau_mean");
        Check("eval", "eval/loss", "held_out_ce");
        Check("eval", "eval/held_out_ce", "held_out_ce");
        Check("eval", "eval/tau_mean", "mean_tau");
    }

    [Fact]
    public async Task A_scorer_failure_mid_run_stops_training_with_the_scorers_error()
    {
        var tokenize = CharTokenization.For(Vocab);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Train(_temp.Sub("failing"), Options,
            alignedTokenize: s => s.Id == "t40" ? throw new InvalidDataException("aligned tokenizer failed on t40") : tokenize(s))
            .WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Contains("t40", error.Message);
    }

    /// <summary>A display that hears of evaluations as well as steps, as the CLI's does.</summary>
    private sealed class ShownEvaluations : IProgress<StepMetrics>, IProgress<EvalMetrics>
    {
        public List<EvalMetrics> Evaluations { get; } = [];

        public void Report(StepMetrics value) { }

        public void Report(EvalMetrics value) => Evaluations.Add(value);
    }

    /// <summary>IProgress that reports on the caller's thread, so a cancellation takes effect at that step.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

internal static class PoftTrainerProbe
{
    /// <summary>Mean r_θ of the untrained model (same seed as the runs) on the held-out samples.</summary>
    public static double InitialMeanRTheta(List<SftSample> eval)
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("mha-untied"), seed: 3);
        var trainer = new PoftTrainer(model, Placement.Cpu, new TrainingOptions { Objective = ObjectiveKind.Ce },
            new TrainingData([], eval, CharTokenization.For(97)), null, null, [], Path.GetTempPath(), null);
        return trainer.Evaluate(0, 0).MeanRTheta!.Value;
    }
}
