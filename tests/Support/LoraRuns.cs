using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Training;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Support;

/// <summary>Short LoRA runs (CE, dropout on, bias-carrying projections) on a tiny random base checkpoint.</summary>
public sealed class LoraRuns
{
    public const int Vocab = 97;
    public static readonly ModelConfig Config = RandomCheckpoints.Build(attentionBias: true);
    public static readonly LoraOptions Lora = new() { R = 4, Alpha = 8, Dropout = 0.1 };

    public static TrainingOptions Options => new()
    {
        Objective = ObjectiveKind.Ce, BatchSize = 4, GradientAccumulation = 2, LearningRate = 1e-2, WarmupRatio = 0, Seed = 3, Lora = Lora,
    };

    private readonly List<SftSample> _train = PatternData.Make(24, seed: 1, "t");
    private readonly List<SftSample> _eval = PatternData.Make(4, seed: 2, "e");

    public LoraRuns(TempDirectory temp)
    {
        Base = RandomCheckpoints.Write(temp.Sub("base"), Config, seed: 11,
            tokenizerDirectory: RandomCheckpoints.StandInTokenizerDirectory(temp.Sub("tokenizer")));
    }

    /// <summary>A whole checkpoint with the project's stand-in tokenizer file.</summary>
    public string Base { get; }

    /// <param name="model">A model loaded as the run would (new run: the base with a fresh adapter).</param>
    /// <param name="scores">The training samples' reference scores, where the objective needs them.</param>
    public PoftTrainer Trainer(LlamaForCausalLM model, string output, TrainingOptions options, string? resume = null, ReferenceScores? scores = null) =>
        new(model, Placement.Cpu, options, new TrainingData(_train, _eval, CharTokenization.For(Vocab)), scores, null, [], output,
            tokenizerDirectory: resume ?? Base);

    public LlamaForCausalLM Load(TrainingOptions options, string? resume = null) =>
        resume is null ? ModelCheckpoint.LoadForTraining(Base, Placement.Cpu, options.Lora, options.Seed) : ModelCheckpoint.Load(resume, Placement.Cpu);

    public async Task<TrainingSummary> Train(string output, TrainingOptions options, string? resume = null, CancellationToken stop = default,
        IProgress<StepMetrics>? progress = null)
    {
        using var model = Load(options, resume);
        return await Trainer(model, output, options, resume).RunAsync(resume, progress, stop);
    }
}
