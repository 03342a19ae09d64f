using System.Threading.Channels;
using PoFT.Hybrid.Config;
using PoFT.Scorer.Manifest;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
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
/// (<see cref="PoftTrainer.ScoringOrder"/>); or read from a score file. A resumed run continues only
/// under the rules of <see cref="ResumeRules"/>.
/// </summary>
public static class OnlineTraining
{
    /// <summary>A new run writes into an empty (or new) directory only: appending to another run's metrics and
    /// replacing some of its checkpoints would leave a directory in which the newest checkpoint belongs to
    /// another run.</summary>
    private static void ClaimOutput(TrainConfig config, bool overwrite)
    {
        if (!Directory.Exists(config.Output) || !Directory.EnumerateFileSystemEntries(config.Output).Any())
            return;
        if (!overwrite)
            throw new IOException($"{config.Describe("output")}: {config.Output} already holds a run; continue it with --resume " +
                $"{Path.Combine(config.Output, PoftTrainer.CheckpointsFolder, "step-…")}, choose another output, or replace it with --overwrite");
        Directory.Delete(config.Output, recursive: true);
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
        if (dpo && config.RefModel is not null && config.RefScores is not null)
            throw new FormatException($"{config.Describe("ref_scores")}: give the reference as ref_model (scored online) or as ref_scores, not both");
        if (dpo && config.EvalRefScores is not null && config.RefScores is null)
            throw new FormatException($"{config.Describe("eval_ref_scores")}: needs ref_scores; with the reference scored online the held-out pairs are scored too");
        if (dpo && config.RefScores is not null && config.EvalPreferenceData is not null && config.EvalRefScores is null)
            throw new FormatException($"{config.Describe("eval_preference_data")}: with ref_scores, the held-out pairs' reference log-probs come from eval_ref_scores, which is not given");
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
        var inputs = ResumeRules.Inputs(config);
        if (resume is not null)
            ResumeRules.Check(config, inputs, resume, TrainerState.Load(resume), fromFlags ?? new HashSet<TrainOption>(), note);
        else
            ClaimOutput(config, overwrite);
        var options = config.Training;
        var source = resume ?? config.Model;
        var target = TargetTokenization(config, source);
        if (ChatTemplates.PresetDifference(config.Template, target.Tokenizer) is { } difference)
            note($"{config.Describe("template")}: {difference}");
        var dpo = options.Objective == ObjectiveKind.Dpo;
        RequireScoringFits(config, dpo);
        var eval = config.EvalData is null ? [] : SftDataSet.Read(config.EvalData).Samples;
        var data = dpo
            ? new TrainingData([], eval, target.Tokenize)
            {
                TrainPairs = PreferenceDataSet.Read(config.TrainData).Pairs,
                EvalPairs = config.EvalPreferenceData is null ? [] : PreferenceDataSet.Read(config.EvalPreferenceData).Pairs,
            }
            : new TrainingData(SftDataSet.Read(config.TrainData).Samples, eval, target.Tokenize);
        var placement = Placement.Resolve(config.Device, config.Dtype).For(options.Lora);
        using var model = resume is null ? ModelCheckpoint.LoadForTraining(source, placement, options.Lora, options.Seed) : ModelCheckpoint.Load(resume, placement);
        if (model.Lora is { } lora)
            note($"LoRA: {lora.Weights.Sum(w => w.Weight.numel()):N0} trainable parameters in {lora.Modules.Count} projections; " +
                $"the base ({lora.BaseModel}) is frozen in {placement.DType}");

        var known = resume is null ? [] : ScoresSavedWith(resume, config);
        var manifest = dpo
            ? config.RefScores is null ? ReferenceModel.Manifest(config, ReferenceModel.Prepare(config, note)) : null
            : config.Manifest is null || config.Scores is not null ? null : ModelsManifest.Load(config.Manifest);
        using var aligned = manifest is null
            ? null
            : AlignedModelSet.Open(manifest, new OrtScoringBackend(new OrtScoringOptions { IntraOpThreads = config.ScorerThreads }), tokenBudget: 0, note);
        var names = manifest?.Names ?? [];
        using var cancelScoring = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var pipelines = new List<ScoringPipeline>();
        ChannelReader<ScoredBatch> Start(IReadOnlyList<SftSample> samples)
        {
            var pipeline = new ScoringPipeline(aligned!.Models, new ScoringPipelineOptions());
            pipelines.Add(pipeline);
            return pipeline.Start(samples, batchSize: 8, cancelScoring.Token);
        }
        try
        {
            ReferenceScores? trainScores = null, evalScores = null;
            if (config.Scores is not null)
            {
                var records = ScoreShardSet.ReadFileOrShards(config.Scores);
                names = records.Count > 0 ? [.. records[0].Models.Select(m => m.Name)] : [];
                trainScores = new ReferenceScores(records.Select(r => r.ToPreferenceScore()));
                evalScores = trainScores;
            }
            else if (config.RefScores is not null)
            {
                names = [ReferenceModel.Name];
                trainScores = new ReferenceScores(ReferenceModel.ReadScores(config.RefScores, config, "ref_scores").Select(r => r.ToPreferenceScore()));
                evalScores = config.EvalRefScores is null ? null
                    : new ReferenceScores(ReferenceModel.ReadScores(config.EvalRefScores, config, "eval_ref_scores").Select(r => r.ToPreferenceScore()));
            }
            else if (aligned is not null)
            {
                // What evaluation scores: the held-out SFT samples' r̄ for PoFT's τ, the held-out pairs' completions for DPO.
                var evalSamples = dpo ? [.. data.EvalPairs.SelectMany(p => p.Samples)] : eval;
                evalScores = new ReferenceScores([], Start(evalSamples));
                await evalScores.WaitForAll(evalSamples, stop);
                var order = PoftTrainer.ScoringOrder(data, options, known.Select(s => s.SampleId).ToHashSet(StringComparer.Ordinal));
                trainScores = new ReferenceScores(known, Start(order));
            }

            var trainer = new PoftTrainer(model, placement, options, data, trainScores, evalScores, names, config.Output, tokenizerDirectory: source, inputs);
            return await trainer.RunAsync(resume, progress, stop);
        }
        finally
        {
            // Training may end — or be stopped while it waits for scores — before the scorer has scored
            // everything; its sessions are disposed only once no inference is in flight.
            await cancelScoring.CancelAsync();
            await Task.WhenAll(pipelines.Select(p => p.Finished));
        }
    }
}
