using System.Text.Json.Nodes;
using PoFT.Generation;
using PoFT.Shared;
using PoFT.Checkpoints;
using PoFT.Hybrid.Config;
using PoFT.Scorer.Manifest;
using PoFT.Shared.Manifest;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Text.Tokenizers;
using PoFT.Shared.Training;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Hybrid;

/// <summary>
/// One training run of the hybrid: the TorchSharp target with its tokenization and data, and its
/// reference scores — streamed by the aligned models' ONNX Runtime scoring pipeline running concurrently
/// with training, through the bounded channel, in the order the trainer asks for them
/// (<see cref="PoftTrainer.ScoringOrder"/>); or read from a score file (<see cref="RunScores"/>). A resumed run
/// continues only under the rules of <see cref="ResumeRules"/>.
/// </summary>
public static class OnlineTraining
{
    /// <summary>A new run writes into an empty (or new) directory only: appending to another run's metrics and
    /// replacing some of its checkpoints would leave a directory in which the newest checkpoint belongs to another
    /// run. A directory holding only what a run stopped before its first checkpoint wrote (its metrics, an empty
    /// checkpoints folder) has nothing to resume, so a plain retry reuses it; otherwise the refusal names what there
    /// is: the checkpoint to resume, a finished run, or files that are not a run's.</summary>
    private static void ClaimOutput(TrainConfig config, bool overwrite, Action<string> note)
    {
        var output = config.Output;
        if (!Directory.Exists(output) || !Directory.EnumerateFileSystemEntries(output).Any())
            return;
        if (overwrite)
        {
            Directory.Delete(output, recursive: true);
            return;
        }
        // A save cut short leaves its previous checkpoint renamed aside: put back first, as the trainer would.
        Checkpoint.RecoverInterruptedSaves(output);
        Checkpoint.RecoverInterruptedSaves(Path.Combine(output, PoftTrainer.CheckpointsFolder));
        var held = RunDirectory.Inspect(output);
        if (held.Kind == RunDirectory.Holding.NothingToResume)
        {
            note($"{config.Describe("output")}: {output} holds a run stopped before its first checkpoint (nothing to resume): starting it again");
            Directory.Delete(output, recursive: true);
            return;
        }
        var what = held.Kind switch
        {
            RunDirectory.Holding.Finished => RunDirectory.ToTrainFurther(output) is { } step
                ? $"already holds a finished run ({held.Checkpoint}); train it further with --resume {step} and a larger --max-steps or --epochs,"
                : $"already holds a finished run ({held.Checkpoint}, with no step checkpoint of its last step to train it further from: checkpoint_every was 0);",
            RunDirectory.Holding.Resumable => $"already holds a run; continue it with --resume {held.Checkpoint},",
            _ => "holds files that are not a run's;",
        };
        throw new IOException($"{config.Describe("output")}: {output} {what} choose another output, or replace what it holds with --overwrite");
    }

    /// <summary>The target's tokenizer and template, tried on <see cref="ChatTokenizer.Probe"/> before anything
    /// is loaded or scored, so a template its tokenizer cannot render fails at once, naming the config field.</summary>
    public static ChatTokenizer TargetTokenization(TrainConfig config, string modelDirectory)
    {
        var target = new ChatTokenizer(TokenizerLoader.LoadFromModelDirectory(modelDirectory), config.Template, config.MaxLength, config.Truncation);
        try
        {
            target.Tokenize(ChatTokenizer.Probe);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{config.Describe("template")}: '{config.Template.Family}' does not fit the target's tokenizer in {modelDirectory}: {e.Message}");
        }
        catch (InvalidSampleException e)
        {
            throw new FormatException($"{config.Describe("max_length")}: {config.MaxLength} tokens cannot hold even a one-turn conversation: {e.Message}");
        }
        return target;
    }

    /// <summary>Which scores a run reads is fixed by its objective: the aligned models' r̄ for the SFT objectives
    /// (a manifest or a score file), the reference model's log-probs for DPO (ref_model, its default, or
    /// ref_scores). An option of the other kind would be silently ignored, so it is refused.</summary>
    private static void RequireScoringFits(TrainConfig config, bool dpo)
    {
        (string Field, string? Value)[] aligned = [("manifest", config.Manifest), ("scores", config.Scores)];
        (string Field, string? Value)[] reference = [("ref_model", config.RefModel), ("ref_scores", config.RefScores), ("eval_ref_scores", config.EvalRefScores),
            ("eval_preference_data", config.EvalPreferenceData)];
        var (wrong, why) = dpo
            ? (aligned, "objective 'dpo' scores with its reference model, not with aligned models")
            : (reference, $"it applies to objective 'dpo' only, not '{ObjectiveNames.Of(config.Training.Objective)}'");
        if (wrong.FirstOrDefault(o => o.Value is not null) is { Field: { } field })
            throw new FormatException($"{config.Describe(field)}: {why}");
        if (!dpo && config.Manifest is not null && config.Scores is not null)
            throw new FormatException($"{config.Describe("scores")}: give the aligned models' scores as manifest (scored online) or as scores (a score file), not both");
        if (!dpo && config.Training.Objective != ObjectiveKind.Ce && config.Manifest is null && config.Scores is null)
            throw new FormatException($"{config.Source ?? "train config"}: objective '{ObjectiveNames.Of(config.Training.Objective)}' needs reference scores: " +
                "set field 'manifest' (the aligned models, scored online) or field 'scores' (a score file), or train with objective 'ce'");
        if (dpo && config.RefModel is not null && config.RefScores is not null)
            throw new FormatException($"{config.Describe("ref_scores")}: give the reference as ref_model (scored online) or as ref_scores, not both");
        if (dpo && config.EvalRefScores is not null && config.RefScores is null)
            throw new FormatException($"{config.Describe("eval_ref_scores")}: needs ref_scores; with the reference scored online the held-out pairs are scored too");
        if (dpo && config.RefScores is not null && config.EvalPreferenceData is not null && config.EvalRefScores is null)
            throw new FormatException($"{config.Describe("eval_preference_data")}: with ref_scores, the held-out pairs' reference log-probs come from eval_ref_scores, which is not given");
    }

    /// <summary>An adapter the target cannot take — Phi-3's fused projections, a rank above a projection's — is refused
    /// from its config.json, naming the field, before the model or any adapter weight is allocated.</summary>
    private static void RequireLoraFits(TrainConfig config)
    {
        if (config.Training.Lora is not { } lora)
            return;
        var target = ModelConfig.Load(Path.Combine(config.Model, Checkpoint.ConfigFile));
        if ((DecoderProjections.LoraRefusal(target) ?? DecoderProjections.RankRefusal(target, lora.R, lora.TargetModules)) is { } refusal)
            throw new FormatException($"{config.Describe("training.lora")}: {refusal}");
    }

    /// <summary>The reference scores a checkpoint saved: every sample scored so far. A run without aligned
    /// models (CE, no manifest, no score file) has none to save.</summary>
    private static List<PreferenceScore> ScoresSavedWith(string checkpoint, TrainConfig config)
    {
        var path = Path.Combine(checkpoint, TrainerState.ScoresFile);
        if (File.Exists(path))
            return [.. ScoreFile.Read(path).Select(r => r.ToPreferenceScore())];
        if (config.Manifest is not null || config.Scores is not null || config.Training.Objective == ObjectiveKind.Dpo)
            throw new FileNotFoundException($"{path}: missing, although the run scores with {(config.Training.Objective == ObjectiveKind.Dpo ? "a reference model" : config.Scores is not null ? "a score file" : "a manifest")}", path);
        return [];
    }

    /// <param name="resume">A checkpoint of this run to continue from, or null for a new run.</param>
    /// <param name="fromFlags">Options the command line set (errors name them as flags).</param>
    /// <param name="note">Told of what a resume applies and what a model falls back to.</param>
    /// <param name="overwrite">A new run may replace a run directory that holds something; without it that is refused.</param>
    public static async Task<TrainingSummary> RunAsync(TrainConfig config, string? resume, IProgress<StepMetrics>? progress, CancellationToken stop,
        IReadOnlySet<TrainOption>? fromFlags = null, Action<string>? note = null, bool overwrite = false)
    {
        note ??= Console.Error.WriteLine;
        // Before anything is checked or written there, for the whole run: a second process into the same
        // directory would interleave its metrics and checkpoints with this one's.
        using var runLock = ExclusiveLock.Acquire(config.Output, $"{config.Describe("output")}: run directory");
        var (inputs, data) = Prepare(config, resume, fromFlags ?? new HashSet<TrainOption>(), note, overwrite);
        var placement = Placement.Resolve(config.Device, config.Dtype).For(config.Training.Lora);
        using var model = LoadModel(config, resume, placement, note);
        await using var scores = await RunScores.Open(config, data, resume is null ? [] : ScoresSavedWith(resume, config), note, stop);
        var trainer = new PoftTrainer(model, placement, config.Training, data, scores.Train, scores.Eval, scores.Names, config.Output,
            tokenizerDirectory: resume ?? config.Model, inputs)
        {
            ChatTemplate = config.Template,
            Answerer = config.Training.EvalSamples > 0 && data.HasEval
                ? new EvalAnswerer(model, TokenizerLoader.LoadFromModelDirectory(resume ?? config.Model), config.Template) : null,
        };
        return await trainer.RunAsync(resume, progress, stop);
    }

    /// <summary>What is checked before anything is loaded or scored — a resume against its checkpoint's rules (a new
    /// run's claim on its output), the target's tokenization, the scoring options against the objective, the training
    /// options — and the data, tokenized as the target tokenizes it.</summary>
    /// <returns>What the run's checkpoints record of its inputs, and its data.</returns>
    private static (IReadOnlyDictionary<string, JsonNode?> Inputs, TrainingData Data) Prepare(TrainConfig config, string? resume,
        IReadOnlySet<TrainOption> fromFlags, Action<string> note, bool overwrite)
    {
        var inputs = ResumeRules.Inputs(config);
        if (resume is not null)
            ResumeRules.Check(config, inputs, resume, TrainerState.Load(resume), fromFlags, note);
        else
            ClaimOutput(config, overwrite, note);
        var target = TargetTokenization(config, resume ?? config.Model);
        if (ChatTemplates.PresetDifference(config.Template, target.Tokenizer) is { } difference)
            note($"{config.Describe("template")}: {difference}");
        RequireScoringFits(config, config.Training.Objective == ObjectiveKind.Dpo);
        config.Training.Validate();
        if (resume is null)
            RequireLoraFits(config);
        return (inputs, ReadData(config, target, note));
    }

    /// <summary>The SFT objectives train on SFT samples, DPO on preference pairs; both evaluate on the held-out SFT
    /// samples, DPO also on held-out pairs.</summary>
    private static TrainingData ReadData(TrainConfig config, ChatTokenizer target, Action<string> note)
    {
        // data_format names train_data's layout; held-out files of the other kind are detected, with the same columns.
        var format = config.DataFormat;
        var eval = config.EvalData is null ? [] : SftDataSet.Read(config.EvalData, format: format.ForSft()).Samples;
        if (config.Training.Objective == ObjectiveKind.Dpo)
        {
            var pairs = PreferenceDataSet.Read(config.TrainData, config.SkipBad, format);
            var fitting = SkipUnfit(config, pairs.Pairs.SelectMany(p => p.Samples).ToList(), pairs.Skipped, [("target", target.Tokenize)], note)
                .Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            return new TrainingData([], eval, target.Tokenize)
            {
                TrainPairs = [.. pairs.Pairs.Where(p => fitting.Contains(p.Chosen.Id) && fitting.Contains(p.Rejected.Id))],
                EvalPairs = config.EvalPreferenceData is null ? [] : PreferenceDataSet.Read(config.EvalPreferenceData, format: format.ForPreference()).Pairs,
            };
        }
        var data = SftDataSet.Read(config.TrainData, config.SkipBad, format);
        // Online scoring tokenizes each sample as every aligned model does: one it cannot fit would stop the run mid-way.
        var aligned = config.Manifest is null || !config.SkipBad ? []
            : AlignedModelSet.OpenTokenizations(ModelsManifest.Load(config.Manifest), note).Select(m => (m.Name, (Func<SftSample, TokenizedSample>)m.Chat.Tokenize));
        return new TrainingData(SkipUnfit(config, data.Samples, data.Skipped, [("target", target.Tokenize), .. aligned], note), eval, target.Tokenize);
    }

    /// <summary>Under skip_bad, the samples every tokenization fits, the skipped records and samples listed; otherwise all.</summary>
    private static IReadOnlyList<SftSample> SkipUnfit(TrainConfig config, IReadOnlyList<SftSample> samples, IReadOnlyList<SkippedRecord> badRecords,
        IReadOnlyList<(string Name, Func<SftSample, TokenizedSample> Tokenize)> tokenizations, Action<string> note)
    {
        if (!config.SkipBad)
            return samples;
        var (fitting, unfit) = FittingSamples.Of(samples, tokenizations);
        foreach (var (what, list) in new[] { ("bad records", badRecords), ("samples no truncation fits", unfit) }.Where(l => l.Item2.Count > 0))
            note($"{config.Describe("train_data")}: skipped {list.Count} {what}:\n" + string.Join("\n", list.Select(r => $"  {r.Location}: {r.Reason}")));
        if (fitting.Count == 0)
            throw new InvalidDataException($"{config.TrainData}: every sample was skipped (first: {unfit[0].Location}: {unfit[0].Reason})");
        return fitting;
    }

    /// <summary>A new run's model from config.model, with a fresh adapter under LoRA; a resumed run's from its
    /// checkpoint. Its LoRA is checked against the options here, before anything waits for scores.</summary>
    private static LlamaForCausalLM LoadModel(TrainConfig config, string? resume, Placement placement, Action<string> note)
    {
        var options = config.Training;
        var model = resume is null ? ModelCheckpoint.LoadForTraining(config.Model, placement, options.Lora, options.Seed) : ModelCheckpoint.Load(resume, placement);
        try
        {
            options.RequireLoraMatches(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        if (model.Lora is { } lora)
            note($"LoRA: {lora.Weights.Sum(w => w.Weight.numel()):N0} trainable parameters in {lora.Modules.Count} projections; " +
                $"the base ({lora.BaseModel}) is frozen in {placement.DType}");
        return model;
    }
}
