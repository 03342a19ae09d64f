using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Trainer;

/// <summary>The training loop when things go wrong: a run that diverges stops at the step with what went
/// non-finite and keeps its last good checkpoint; options no run can use are refused up front; a resume
/// after a crash leaves no duplicate metrics and no leftovers of an interrupted save.</summary>
[Collection(SerialCollection.Name)]
public sealed class TrainerReliabilityTests : IDisposable
{
    private const int Vocab = 97;
    private readonly TempDirectory _temp = new();
    private readonly List<SftSample> _train = PatternData.Make(24, seed: 1, "t");
    private readonly List<SftSample> _eval = PatternData.Make(6, seed: 2, "e");

    public void Dispose() => _temp.Dispose();

    private static TrainingOptions Ce => new() { Objective = ObjectiveKind.Ce, BatchSize = 4, Epochs = 1, LearningRate = 1e-3, Seed = 2 };

    private async Task<TrainingSummary> Train(string output, TrainingOptions options, string? resume = null, ReferenceScores? scores = null)
    {
        using var model = resume is null ? ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 3) : ModelCheckpoint.Load(resume, Placement.Cpu);
        var trainer = new PoftTrainer(model, Placement.Cpu, options, new TrainingData(_train, _eval, CharTokenization.For(Vocab)),
            scores, scores, ["aligned"], output, tokenizerDirectory: null);
        return await trainer.RunAsync(resume, progress: null, CancellationToken.None);
    }

    private static List<JsonNode> Records(string output) =>
        [.. File.ReadAllLines(Path.Combine(output, MetricsLog.FileName)).Select(l => JsonNode.Parse(l)!)];

    [Fact]
    public async Task A_diverging_run_stops_at_the_step_naming_what_went_non_finite_and_keeps_its_last_good_checkpoint()
    {
        var output = _temp.Sub("diverge");
        var error = await Assert.ThrowsAsync<TrainingDivergedException>(() =>
            Train(output, Ce with { LearningRate = 1e30, WarmupRatio = 0, ClipNorm = 0, CheckpointEvery = 1, Epochs = 3 }));

        var step = int.Parse(System.Text.RegularExpressions.Regex.Match(error.Message, @"^step (\d+):").Groups[1].Value);
        Assert.True(step >= 2, error.Message);
        Assert.Contains("not finite", error.Message);
        var lastGood = Path.Combine(output, PoftTrainer.CheckpointsFolder, $"step-{step - 1:D6}");
        Assert.Contains(lastGood, error.Message);
        Assert.True(File.Exists(Path.Combine(lastGood, Checkpoint.SingleFile)));
        Assert.False(Directory.Exists(Path.Combine(output, PoftTrainer.CheckpointsFolder, $"step-{step:D6}")));
        // Every record written is finite JSON, none for the step that diverged.
        Assert.All(Records(output), r => Assert.True(r["step"]!.GetValue<int>() < step));
    }

    [Theory]
    [InlineData("learning_rate", double.NaN)]
    [InlineData("learning_rate", -1.0)]
    [InlineData("warmup_ratio", 2.0)]
    [InlineData("keep_top_percent", 0.0)]
    [InlineData("beta", double.PositiveInfinity)]
    [InlineData("logits_chunk", -1.0)]
    public async Task Options_no_run_can_use_are_refused_naming_the_field(string field, double value)
    {
        var options = field switch
        {
            "learning_rate" => Ce with { LearningRate = value },
            "warmup_ratio" => Ce with { WarmupRatio = value },
            "keep_top_percent" => Ce with { KeepTopPercent = value },
            "logits_chunk" => Ce with { LogitsChunk = (int)value },
            _ => Ce with { Beta = value },
        };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Train(_temp.Sub("bad"), options));
        Assert.StartsWith($"training.{field}: ", error.Message);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "bad", MetricsLog.FileName)));
    }

    [Fact]
    public async Task A_non_finite_reference_score_is_refused_where_it_enters_naming_the_sample()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Train(_temp.Sub("nan"), Ce with { Objective = ObjectiveKind.Poft },
            scores: new ReferenceScores(_train.Select((s, i) => new PreferenceScore(s.Id, [new ModelScore(-2, 1)], i == 5 ? double.NaN : -2.0)))));
        Assert.Contains($"sample '{_train[5].Id}'", error.Message);
    }

    [Fact]
    public async Task A_resumed_run_holds_each_steps_metrics_once()
    {
        var output = _temp.Sub("run");
        var options = Ce with { CheckpointEvery = 2, EvalEvery = 1 };
        var straight = await Train(output, options);
        // As after a crash at step 6: the run goes on from its step-2 checkpoint, and re-runs steps 3–6.
        await Train(output, options, resume: Path.Combine(output, PoftTrainer.CheckpointsFolder, "step-000002"));

        var steps = Records(output).Where(r => r["kind"]!.GetValue<string>() == "step").Select(r => r["step"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(1, straight.Steps), steps);
        var evals = Records(output).Where(r => r["kind"]!.GetValue<string>() == "eval").Select(r => r["step"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(1, straight.Steps), evals);
    }

    [Fact]
    public async Task A_truncated_optimizer_state_is_an_error_naming_the_file()
    {
        var output = _temp.Sub("run");
        // The step checkpoint of the last step holds the optimizer's state (final/ keeps none).
        var summary = await Train(output, Ce with { MaxSteps = 2, CheckpointEvery = 2 });
        var optimizer = Path.Combine(summary.ResumeCheckpoint!, TrainerState.OptimizerFile);
        var bytes = File.ReadAllBytes(optimizer);
        File.WriteAllBytes(optimizer, bytes[..(bytes.Length / 2)]);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Train(_temp.Sub("resumed"), Ce with { MaxSteps = 3 }, resume: summary.ResumeCheckpoint));
        Assert.Contains(optimizer, error.Message);
    }

    [Fact]
    public async Task Evaluation_on_start_logs_step_0_and_scorer_waits_are_per_step()
    {
        var output = _temp.Sub("run");
        var scores = new ReferenceScores(_train.Concat(_eval).Select(s => new PreferenceScore(s.Id, [new ModelScore(-2, 1)], -2.0)));
        var summary = await Train(output, Ce with { Objective = ObjectiveKind.Poft, EvalOnStart = true }, scores: scores);
        var records = Records(output);
        Assert.Equal(("eval", 0), (records[0]["kind"]!.GetValue<string>(), records[0]["step"]!.GetValue<int>()));
        var waits = records.Where(r => r["kind"]!.GetValue<string>() == "step").Select(r => r["scorer_wait_s"]!.GetValue<double>()).ToList();
        Assert.Equal(summary.ScorerWaitSeconds, waits.Sum(), 1e-9);
    }

    [Fact]
    public void Leftovers_of_an_interrupted_save_are_cleaned_and_a_replaced_checkpoint_is_restored()
    {
        var parent = _temp.Sub("checkpoints");
        var partial = Directory.CreateDirectory(Path.Combine(parent, $"step-000004.{Guid.NewGuid():N}.partial")).FullName;
        // Killed between the two renames of a save: step-000002 is only in its .old copy.
        var old = Directory.CreateDirectory(Path.Combine(parent, $"step-000002.{Guid.NewGuid():N}.old")).FullName;
        File.WriteAllText(Path.Combine(old, "marker"), "2");
        // Killed after both renames: step-000003 is in place, its .old copy is stale.
        Directory.CreateDirectory(Path.Combine(parent, "step-000003"));
        var stale = Directory.CreateDirectory(Path.Combine(parent, $"step-000003.{Guid.NewGuid():N}.old")).FullName;
        var unrelated = Directory.CreateDirectory(Path.Combine(parent, "notes.partial")).FullName;

        Checkpoint.RecoverInterruptedSaves(parent);

        Assert.False(Directory.Exists(partial));
        Assert.False(Directory.Exists(stale));
        Assert.Equal("2", File.ReadAllText(Path.Combine(parent, "step-000002", "marker")));
        Assert.True(Directory.Exists(unrelated));
    }
}
