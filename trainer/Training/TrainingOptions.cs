using PoFT.Trainer.Objectives;

namespace PoFT.Trainer.Training;

/// <summary>Hyper-parameters of one training run (the <c>train</c> config file's fields, README "Training").</summary>
public sealed record TrainingOptions
{
    public ObjectiveKind Objective { get; init; } = ObjectiveKind.Poft;
    public double Beta { get; init; } = 1.0;
    public double Gamma { get; init; }
    public double LearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; }
    public double WarmupRatio { get; init; } = 0.1;
    public double MinLrRatio { get; init; }
    public int BatchSize { get; init; } = 8;
    public int GradientAccumulation { get; init; } = 1;
    public double ClipNorm { get; init; } = 1.0;
    public int Epochs { get; init; } = 1;
    /// <summary>Stop after this many optimizer steps (0: run all epochs); also sets the schedule's length.</summary>
    public int MaxSteps { get; init; }
    public int Seed { get; init; }
    /// <summary>Evaluate every N optimizer steps (0: at each epoch's end only).</summary>
    public int EvalEvery { get; init; }
    /// <summary>Checkpoint every N optimizer steps (0: at the end and on interruption only).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>Train only on the top PCT % of samples by r̄ (the paper's hard filter); 100 keeps all.</summary>
    public double KeepTopPercent { get; init; } = 100;

    public Objective ToObjective() => new(Objective, Beta, Gamma);

    public int StepsPerEpoch(int samples) => (int)Math.Ceiling(Math.Ceiling((double)samples / BatchSize) / GradientAccumulation);

    public int TotalSteps(int samples) => MaxSteps > 0 ? MaxSteps : Epochs * StepsPerEpoch(samples);
}
