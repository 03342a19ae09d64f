using System.Text.Json;
using System.Text.Json.Serialization;
using PoFT.Shared;

namespace PoFT.Experiment.Report;

/// <summary>One epoch of a target run: held-out clean CE after it (epoch 0: the base model before fine-tuning)
/// and the mean τ of its steps on clean and on noise samples (null where there were none, or at epoch 0).</summary>
public sealed record EpochResult(int Epoch, double HeldOutCe, double? TauClean, double? TauNoise);

/// <summary>One target run: objective label (e.g. "poft", "ce+keep-top"), noise fraction, seed, its epochs,
/// wall-clock seconds (0 when the run was reused rather than trained), training-set size, and its model's answers to the
/// first held-out questions at its last evaluation (null for a run without samples.jsonl), and its accuracy on the held-out
/// multiple-choice task before fine-tuning (the base model's) and after (null in results saved before the task existed).</summary>
public sealed record RunResult(string Objective, double Noise, int Seed, IReadOnlyList<EpochResult> Epochs, double Seconds, int TrainSamples,
    IReadOnlyList<HeldOutAnswer>? Answers = null, ChoiceAccuracy? ChoicesBefore = null, ChoiceAccuracy? ChoicesAfter = null);

/// <summary>A model's accuracy on the demo's multiple-choice task (experiment/WordNet/WordNetChoices.cs), as <c>eval</c>
/// reports it: <c>acc</c> (highest summed log-prob) and <c>acc_norm</c> (highest log-prob per character), lm-eval-harness's.</summary>
public sealed record ChoiceAccuracy(double Acc, double AccNorm);

/// <summary>A held-out question (its last user message), the reference answer and a run's answer.</summary>
public sealed record HeldOutAnswer(string Id, string Question, string? Reference, string Answer);

/// <summary>The aligned models' reference score r̄ of every training sample of one noise level and seed, split by the noise mark.</summary>
public sealed record ReferenceScoreSample(double Noise, int Seed, IReadOnlyList<double> CleanScores, IReadOnlyList<double> NoiseScores);

/// <summary>A DPO run's held-out numbers at one evaluation: clean CE on the test questions, and on the held-out
/// preference pairs the policy's own preference accuracy (chosen more likely per token: <c>logps/accuracies</c>),
/// the implicit-reward accuracy and margin against its reference (TRL's <c>rewards/accuracies</c>,
/// <c>rewards/margins</c>; 0 before DPO, where policy and reference are one) and the DPO loss.</summary>
public sealed record DpoPoint(double HeldOutCe, double PreferenceAccuracy, double RewardAccuracy, double RewardMargin, double PreferenceLoss);

/// <summary>One DPO run: which target it started from (an objective label: "ce" or "poft"), that target's noise
/// level and seed, the held-out numbers before and after DPO, the wall-clock seconds its training took and the
/// number of training pairs.</summary>
public sealed record DpoResult(string Start, double Noise, int Seed, DpoPoint Before, DpoPoint After, double Seconds, int TrainPairs);

/// <summary>What one hard filter, keeping the top <c>KeepPercent</c> % of one noise level and seed's training set by
/// <c>By</c> ("rbar" or "ifd"), removed: how many samples, how many of them marked noise, of how many noise samples.
/// Precision = NoiseRemoved / Removed, recall = NoiseRemoved / NoiseTotal.</summary>
public sealed record FilterCatch(string By, double Noise, int Seed, double KeepPercent, int Removed, int NoiseRemoved, int NoiseTotal)
{
    public double Precision => Removed == 0 ? 0 : (double)NoiseRemoved / Removed;
    public double Recall => NoiseTotal == 0 ? 0 : (double)NoiseRemoved / NoiseTotal;
}

/// <summary>How long one stage of the experiment took, and whether its result came from the cache.</summary>
public sealed record StageTime(string Stage, double Seconds, bool Cached);

/// <summary>A library and the version the experiment ran with.</summary>
public sealed record LibraryVersion(string Name, string Version);

/// <summary>Everything the report is made from; saved as results.json beside it so the report can be remade.
/// <see cref="Dpo"/> is null unless the experiment ran its DPO stage (<c>demo --dpo</c>); <see cref="Filters"/> is null in
/// results saved before the IFD rows.</summary>
public sealed record ExperimentResults(
    string Command,
    IReadOnlyList<LibraryVersion> Versions,
    string Machine,
    IReadOnlyList<StageTime> Stages,
    IReadOnlyList<RunResult> Runs,
    IReadOnlyList<ReferenceScoreSample> ReferenceScores,
    IReadOnlyList<string> AlignedModels,
    string Notes,
    IReadOnlyList<DpoResult>? Dpo = null,
    IReadOnlyList<FilterCatch>? Filters = null)
{
    public const string FileName = "results.json";

    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static ExperimentResults Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ExperimentResults>(File.ReadAllText(path), Json)
                ?? throw new FormatException($"{path}: empty results");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not an experiment results file ({e.Message})", e);
        }
    }
}
