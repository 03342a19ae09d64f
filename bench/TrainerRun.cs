using System.Diagnostics;
using PoFT.Shared.Scoring;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;

namespace PoFT.Bench;

/// <summary>
/// Runs the real <see cref="PoftTrainer"/> on synthetic data and times each optimizer step on its own
/// clock, from <paramref name="start"/> to the step's progress report: the final checkpoint the trainer
/// writes afterwards is not part of any figure. Each run writes into a scratch directory it deletes.
/// <paramref name="setup"/> (default: <see cref="TrainerSetup.Full"/>) must match the model: a LoRA setup
/// needs its adapter attached (<see cref="TrainerSetup.CreateModel"/>).
/// </summary>
public sealed class TrainerRun(LlamaForCausalLM model, SyntheticData data, string scratchDirectory, int batchSize = TrainerRun.BatchSize,
    TrainerSetup? setup = null, bool paddingFree = true)
{
    public const int BatchSize = 8;

    /// <param name="maxSteps">0: one whole epoch.</param>
    /// <param name="start">The clock the step times are read from; started by the caller when the work
    /// being measured begins (which may be before training, e.g. scoring).</param>
    public async Task<IReadOnlyList<TimedStep>> RunAsync(ObjectiveKind objective, int maxSteps, ReferenceScores? scores, Stopwatch start)
    {
        var options = Options(objective, maxSteps);
        var output = Path.Combine(scratchDirectory, $"train-{Guid.NewGuid():N}");
        var steps = new List<TimedStep>();
        try
        {
            var trainer = new PoftTrainer(model, Placement.Cpu, options, new TrainingData(data.Samples, [], data.Tokenize),
                scores, evalScores: null, ["bench"], output, tokenizerDirectory: null);
            await trainer.RunAsync(resumeDirectory: null, new StepClock(steps, start), CancellationToken.None);
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
        return steps;
    }

    /// <summary>The order an online scorer must deliver in: the one the trainer asks for.</summary>
    public IReadOnlyList<PoFT.Shared.Data.SftSample> ScoringOrder(ObjectiveKind objective) =>
        PoftTrainer.ScoringOrder(new TrainingData(data.Samples, [], data.Tokenize), Options(objective, maxSteps: 0), new HashSet<string>());

    private TrainingOptions Options(ObjectiveKind objective, int maxSteps) => (setup ?? TrainerSetup.Full).Apply(new()
    {
        Objective = objective,
        BatchSize = batchSize,
        MaxSteps = maxSteps,
        Epochs = 1,
        LearningRate = 1e-5,
        WarmupRatio = 0,
        PaddingFree = paddingFree,
    });

    /// <summary>Reference scores that are all known up front, so a PoFT step never waits for a scorer.</summary>
    public static ReferenceScores KnownScores(SyntheticData data) =>
        new(data.Samples.Select(s => new PreferenceScore(s.Id, [new ModelScore(-2.0, 1)], -2.0)));

    /// <summary>Reports on the trainer's own thread, so the time read is the step's end.</summary>
    private sealed class StepClock(List<TimedStep> steps, Stopwatch start) : IProgress<StepMetrics>
    {
        public void Report(StepMetrics value) => steps.Add(new TimedStep(value, start.Elapsed.TotalSeconds));
    }
}

/// <summary>A step's metrics and the caller's clock when it ended.</summary>
public sealed record TimedStep(StepMetrics Metrics, double EndSeconds);
