using PoFT.Shared.Manifest;
using PoFT.Checkpoints;

namespace PoFT.Experiment;

/// <summary>A Llama-family model's shape; the vocabulary comes from its tokenizer.</summary>
public sealed record ModelShape(int Hidden, int Intermediate, int Layers, int Heads, int KvHeads)
{
    public ModelConfig ToConfig(int vocabularySize) =>
        ModelConfig.Llama(vocabularySize, Hidden, Intermediate, Layers, Heads, KvHeads) with { MaxPositionEmbeddings = 512, TieWordEmbeddings = true };
}

/// <summary>How one model is trained: epochs over its data, peak learning rate, batch size.</summary>
public sealed record TrainingRecipe(int Epochs, double LearningRate, int BatchSize);

/// <summary>
/// One aligned model: its tokenizer (an asset directory), chat template and shape. <see cref="FromBase"/>
/// starts it from the pre-trained base model (the shape and tokenizer must then be the base's);
/// otherwise it starts fresh and <see cref="PretrainDocuments"/> unlabelled documents are mixed into its
/// aligned-split training data.
/// </summary>
public sealed record AlignedModelPlan(string Name, string Tokenizer, string Template, ModelShape Shape, bool FromBase,
    int PretrainDocuments, TrainingRecipe Training);

/// <summary>
/// Everything the experiment's numbers depend on besides the seeds and noise levels: data sizes, the base
/// model and its pre-training, the aligned models, the target's training, the noise recipe and the DPO stage's
/// training. Part of every cache key.
/// </summary>
public sealed record ExperimentPlan(
    int AlignedSamples,
    int CleanTrainSamples,
    int TestSamples,
    int PretrainDocuments,
    int DataSeed,
    string TargetTokenizer,
    string TargetTemplate,
    ModelShape Target,
    TrainingRecipe Pretraining,
    IReadOnlyList<AlignedModelPlan> Aligned,
    TrainingRecipe TargetTraining,
    double Corruption,
    double KeepTopPercent,
    int MaxLength,
    TrainingRecipe Dpo,
    double DpoBeta)
{
    private static readonly ModelShape TargetShape = new(Hidden: 128, Intermediate: 384, Layers: 4, Heads: 4, KvHeads: 2);

    public static ExperimentPlan Default { get; } = new(
        AlignedSamples: 3000,
        CleanTrainSamples: 1000,
        TestSamples: 300,
        PretrainDocuments: 20000,
        DataSeed: 1,
        TargetTokenizer: "gpt2",
        TargetTemplate: ChatTemplateSpec.Plain,
        Target: TargetShape,
        Pretraining: new TrainingRecipe(Epochs: 1, LearningRate: 3e-3, BatchSize: 32),
        Aligned:
        [
            new("aligned-gpt2", "gpt2", ChatTemplateSpec.Zephyr, TargetShape, FromBase: true, PretrainDocuments: 0,
                new TrainingRecipe(Epochs: 3, LearningRate: 1e-3, BatchSize: 16)),
            new("aligned-llama3", "llama3", ChatTemplateSpec.Auto, new ModelShape(96, 256, 3, 4, 2), FromBase: false, PretrainDocuments: 2000,
                new TrainingRecipe(Epochs: 2, LearningRate: 3e-3, BatchSize: 16)),
        ],
        TargetTraining: new TrainingRecipe(Epochs: 3, LearningRate: 1e-3, BatchSize: 16),
        Corruption: 0.1,
        KeepTopPercent: 70,
        MaxLength: 160,
        // Set before any run, never tuned on the test split: a tenth of the SFT learning rate, as DPO recipes
        // take a fraction of theirs, and DPO's customary β.
        Dpo: new TrainingRecipe(Epochs: 2, LearningRate: 1e-4, BatchSize: 16),
        DpoBeta: 0.1);

    /// <summary>The same pipeline at a size that runs in a few minutes: for CI and a first look, not for conclusions.</summary>
    public static ExperimentPlan Quick { get; } = Default with
    {
        AlignedSamples = 400,
        CleanTrainSamples = 150,
        TestSamples = 60,
        PretrainDocuments = 1500,
        Aligned =
        [
            Default.Aligned[0] with { Training = Default.Aligned[0].Training with { Epochs = 1 } },
            Default.Aligned[1] with { Shape = new ModelShape(64, 128, 1, 2, 1), PretrainDocuments = 0, Training = Default.Aligned[1].Training with { Epochs = 1 } },
        ],
        TargetTraining = Default.TargetTraining with { Epochs = 2 },
        Dpo = Default.Dpo with { Epochs = 1 },
    };
}
