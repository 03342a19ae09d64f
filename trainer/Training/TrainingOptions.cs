using System.Text.Json.Serialization;
using PoFT.Shared.Training;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;
using PoFT.Trainer.Objectives;

namespace PoFT.Trainer.Training;

/// <summary>Hyper-parameters of one training run: the <c>training</c> object of the train config. Each
/// property's <see cref="TrainOptionAttribute"/> is its one declaration (flag, help, resume rule); its
/// initial value is the default.</summary>
public sealed record TrainingOptions
{
    [TrainOption("ce (−r_θ), poft (−log σ(β(r_θ − r̄) + γ)), bi-poft (PoFT on clean samples, the reversed preference on samples marked is_noise), " +
        "dpo (preference pairs against a frozen reference, see loss_type) or dft (each response token's CE scaled by its detached probability, TRL's loss_type dft); docs/method.md")]
    public ObjectiveKind Objective { get; init; } = ObjectiveKind.Poft;

    [TrainOption("β: the scale of PoFT's preference margin (default 1), or DPO's, the strength of its pull towards the reference (default 0.1)")]
    public double? Beta { get; init; }

    [TrainOption("DPO's loss on the margin h over the reference: sigmoid (DPO), ipo (on per-token means) or robust (unbiased under label noise)")]
    public DpoLossType LossType { get; init; } = DpoLossType.Sigmoid;

    [TrainOption("DPO's ε, the share of preference labels assumed flipped: sigmoid becomes conservative DPO, robust corrects for it; in [0, 0.5)")]
    public double LabelSmoothing { get; init; }

    [TrainOption("PoFT's γ: the offset of the preference margin")]
    public double Gamma { get; init; }

    [TrainOption("PoFT's r_θ over the response tokens (response, as r̄) or over every token, prompt included (all, as the authors' released trainer); poft and bi-poft only")]
    public RThetaScope RThetaScope { get; init; } = RThetaScope.Response;

    [TrainOption("peak learning rate of AdamW (decoupled weight decay)", Flag = "--lr")]
    public double LearningRate { get; init; } = 1e-4;

    [TrainOption("AdamW's decoupled weight decay")]
    public double WeightDecay { get; init; }

    [TrainOption("share of the steps spent warming the learning rate up linearly")]
    public double WarmupRatio { get; init; } = 0.1;

    [TrainOption("the cosine decay's floor, as a share of the peak learning rate")]
    public double MinLrRatio { get; init; }

    [TrainOption("samples per micro-batch")]
    public int BatchSize { get; init; } = 8;

    [TrainOption("micro-batches per optimizer step", Flag = "--grad-accum")]
    public int GradientAccumulation { get; init; } = 1;

    [TrainOption("gradient-norm clipping (0: none)")]
    public double ClipNorm { get; init; } = 1.0;

    [TrainOption("passes over the training data", OnResume = OnResume.Applied)]
    public int Epochs { get; init; } = 1;

    [TrainOption("stop after N optimizer steps (0: run all epochs); also the schedule's length", OnResume = OnResume.Applied)]
    public int MaxSteps { get; init; }

    [TrainOption("seed of the per-epoch shuffle, and of a LoRA adapter's initialisation and dropout")]
    public int Seed { get; init; }

    [TrainOption("evaluate every N optimizer steps (0: at each epoch's end)", OnResume = OnResume.Applied)]
    public int EvalEvery { get; init; }

    [TrainOption("step checkpoint (with the optimizer state a resume needs) every N optimizer steps and at the last step (0: only on interruption); final/ holds the model without it", OnResume = OnResume.Applied)]
    public int CheckpointEvery { get; init; }

    [TrainOption("the paper's hard filter: train only on the top PCT % of samples by r̄ (100: all)", Flag = "--keep-top")]
    public double KeepTopPercent { get; init; } = 100;

    [TrainOption("what keep_top ranks by: rbar (highest r̄ kept, the paper's filter) or ifd (lowest IFD kept; needs a score file of `score --ifd`, " +
        "docs/scoring.md \"IFD\")", Flag = "--keep-top-by")]
    public KeepTopBy KeepTopBy { get; init; } = KeepTopBy.Rbar;

    [TrainOption("evaluate once before the first step, at step 0 (a curve's starting point)", OnResume = OnResume.Applied)]
    public bool EvalOnStart { get; init; }

    [TrainOption("held-out prompts answered at each evaluation (greedy, at most 64 new tokens) into the run's samples.jsonl (0: none)", OnResume = OnResume.Applied)]
    public int EvalSamples { get; init; } = 4;

    [TrainOption("positions whose LM-head logits exist at once: logits memory is this × the vocabulary, whatever the batch (0: all at once)", OnResume = OnResume.Applied)]
    public int LogitsChunk { get; init; } = ChunkedTokenLogProbs.DefaultChunk;

    [TrainOption("recompute each decoder layer's activations in backward instead of keeping them: activation memory of one layer, not all, for about one more forward pass", OnResume = OnResume.Applied)]
    public bool GradientCheckpointing { get; init; }

    [TrainOption("pack each micro-batch's samples several to a row, each attending only to itself: the same samples and loss with less padding", OnResume = OnResume.Applied)]
    public bool PaddingFree { get; init; } = true;

    [TrainOption("write TensorBoard event files to OUTPUT/logs/ (scalars under TRL's names; docs/training.md \"TensorBoard\")", OnResume = OnResume.Applied)]
    [JsonPropertyName("tensorboard")]
    public bool TensorBoard { get; init; } = true;

    [TrainOption("LoRA adapters instead of full fine-tuning (null): an object of r, alpha, dropout, target_modules, use_rslora and " +
        "base_dtype, unset fields at their defaults (docs/training.md \"LoRA\"); the flag takes the object as JSON", Flag = "--lora")]
    public LoraOptions? Lora { get; init; }

    /// <summary>Refuses values no run can use, naming the field: a wrong one would otherwise surface steps
    /// later as a non-finite loss or an empty schedule.</summary>
    /// <exception cref="ArgumentException">The first field out of its range.</exception>
    public void Validate()
    {
        Require(nameof(LearningRate), LearningRate, LearningRate > 0, "a finite number > 0");
        Require(nameof(Beta), ResolvedBeta, ResolvedBeta > 0, "a finite number > 0");
        Require(nameof(LabelSmoothing), LabelSmoothing, LabelSmoothing is >= 0 and < 0.5, "in [0, 0.5)");
        if (LossType == DpoLossType.Ipo && LabelSmoothing != 0)
            throw new ArgumentException($"training.{Field(nameof(LabelSmoothing))}: ipo has no label smoothing; use sigmoid or robust with it");
        if (Objective == ObjectiveKind.Dpo && KeepTopPercent < 100)
            throw new ArgumentException($"training.{Field(nameof(KeepTopPercent))}: the hard filter ranks samples by r̄, which objective 'dpo' has none of");
        Require(nameof(Gamma), Gamma, true, "a finite number");
        if (RThetaScope != RThetaScope.Response && Objective is not (ObjectiveKind.Poft or ObjectiveKind.BiPoft))
            throw new ArgumentException($"training.{Field(nameof(RThetaScope))}: 'all' compares r_θ with r̄, which only poft and bi-poft do; objective '{ObjectiveNames.Of(Objective)}' takes 'response'");
        Require(nameof(WeightDecay), WeightDecay, WeightDecay >= 0, "a finite number ≥ 0");
        Require(nameof(WarmupRatio), WarmupRatio, WarmupRatio is >= 0 and <= 1, "in [0, 1]");
        Require(nameof(MinLrRatio), MinLrRatio, MinLrRatio is >= 0 and <= 1, "in [0, 1]");
        Require(nameof(ClipNorm), ClipNorm, ClipNorm >= 0, "a finite number ≥ 0 (0: no clipping)");
        Require(nameof(KeepTopPercent), KeepTopPercent, KeepTopPercent is > 0 and <= 100, "in (0, 100]");
        Require(nameof(BatchSize), BatchSize, BatchSize >= 1, "at least 1");
        Require(nameof(GradientAccumulation), GradientAccumulation, GradientAccumulation >= 1, "at least 1");
        Require(nameof(Epochs), Epochs, Epochs >= 1, "at least 1");
        Require(nameof(MaxSteps), MaxSteps, MaxSteps >= 0, "0 or more");
        Require(nameof(EvalEvery), EvalEvery, EvalEvery >= 0, "0 or more");
        Require(nameof(EvalSamples), EvalSamples, EvalSamples >= 0, "0 or more");
        Require(nameof(CheckpointEvery), CheckpointEvery, CheckpointEvery >= 0, "0 or more");
        Require(nameof(LogitsChunk), LogitsChunk, LogitsChunk >= 0, "0 or more (0: all positions at once)");

        Lora?.Validate();
    }

    private static void Require(string property, double value, bool inRange, string expected)
    {
        if (!double.IsFinite(value) || !inRange)
            throw new ArgumentException($"training.{Field(property)}: {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range; expected {expected}");
    }

    private static string Field(string property) => TrainerState.Json.PropertyNamingPolicy!.ConvertName(property);

    /// <summary>β as given, or the objective's default: PoFT's margins are per-token means, DPO's are sums
    /// over a completion, so their scales differ by about a completion's length.</summary>
    public double ResolvedBeta => Beta ?? (Objective == ObjectiveKind.Dpo ? 0.1 : 1.0);

    /// <summary>The run's objective, chosen once when it starts: DPO on pairs with its loss type and label smoothing,
    /// or one of the single-sample objectives with γ.</summary>
    public ITrainingObjective ToObjective() => Objective == ObjectiveKind.Dpo
        ? new DpoObjective(LossType, ResolvedBeta, LabelSmoothing)
        : new Objective(Objective, ResolvedBeta, Gamma, RThetaScope);

    /// <summary>Refuses a model that would not train as these options say: with an adapter attached, only the
    /// adapter trains, so <see cref="Lora"/> and the model's adapter come together or not at all. Checked before
    /// anything waits for scores, so that the refusal comes at once.</summary>
    /// <exception cref="InvalidOperationException">One without the other.</exception>
    public void RequireLoraMatches(LlamaForCausalLM model)
    {
        if ((Lora is null) != (model.Lora is null))
            throw new InvalidOperationException(Lora is null
                ? "the model has a LoRA adapter attached but training.lora is null; give the run its lora options"
                : "training.lora is set but the model has no adapter attached; load it with ModelCheckpoint.LoadForTraining");
    }

    public int StepsPerEpoch(int samples) => (int)Math.Ceiling(Math.Ceiling((double)samples / BatchSize) / GradientAccumulation);

    public int TotalSteps(int samples) => MaxSteps > 0 ? MaxSteps : Epochs * StepsPerEpoch(samples);
}
