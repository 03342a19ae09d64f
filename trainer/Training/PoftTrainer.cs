using System.Text.Json.Nodes;
using PoFT.Text.Chat;
using PoFT.Text.Tokenizers;
using PoFT.Shared.Manifest;
using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PoFT.Trainer.Training;

/// <summary>
/// The training loop: AdamW with decoupled weight decay, warm-up + cosine schedule, gradient accumulation
/// and clipping, seeded per-epoch order, periodic evaluation and atomic checkpoints that a resumed run
/// continues from exactly. Reference scores arrive from the concurrently running scorer (or a file).
/// </summary>
public sealed class PoftTrainer(
    LlamaForCausalLM model,
    Placement placement,
    TrainingOptions options,
    TrainingData data,
    ReferenceScores? trainScores,
    ReferenceScores? evalScores,
    IReadOnlyList<string> scorerModelNames,
    string outputDirectory,
    string? tokenizerDirectory,
    IReadOnlyDictionary<string, JsonNode?>? inputs = null)
{
    private readonly IReadOnlyDictionary<string, JsonNode?> _inputs = inputs ?? new Dictionary<string, JsonNode?>();
    // By sample, not by id: a held-out file may reuse the training file's ids for other samples.
    private readonly Dictionary<SftSample, TokenizedSample> _tokenized = new(ReferenceEqualityComparer.Instance);
    private readonly ITrainingObjective _objective = options.ToObjective();
    private string? _lastCheckpoint;

    /// <summary>The chat template the run trains with, recorded in each checkpoint's tokenizer_config.json
    /// (<see cref="TokenizerConfigFile.WriteRunTemplate"/>) so that generation renders prompts as training did.</summary>
    public ChatTemplateSpec? ChatTemplate { get; init; }

    /// <summary>Answers the first <c>eval_samples</c> held-out prompts at each evaluation, into samples.jsonl; null: none.</summary>
    public IPromptAnswerer? Answerer { get; init; }

    /// <summary>Each evaluation's sample answers, once samples.jsonl has them: where a logger of text (TensorBoard) hooks in.</summary>
    public Action<IReadOnlyList<SampleAnswer>>? SamplesAnswered { get; init; }

    private SamplesLog? _samplesLog;

    /// <summary>Where a run's step checkpoints go, below its output directory: the periodic ones, the last step's
    /// (<see cref="Finish"/>) and an interrupted run's. Each holds the optimizer's state, to resume from.</summary>
    public const string CheckpointsFolder = "checkpoints";

    /// <summary>Where a finished run's model goes, below its output directory: weights, tokenizer files and
    /// trainer_state.json, without the optimizer's state.</summary>
    public const string FinalFolder = "final";

    /// <summary>The step checkpoint of <paramref name="step"/> in the run directory <paramref name="run"/>.</summary>
    public static string StepCheckpoint(string run, int step) => Path.Combine(run, CheckpointsFolder, $"step-{step:D6}");

    /// <summary>
    /// The training samples whose reference scores this trainer will still ask for, in the order it will
    /// ask: the first epoch's order (of samples, or of pairs with the chosen completion first), less those
    /// already scored. An online scorer must deliver in exactly this order (<see cref="ReferenceScores"/>
    /// refuses any other); later epochs reuse the first epoch's scores. With the hard filter every score is
    /// needed before the first step, so all are read anyway.
    /// </summary>
    public static IReadOnlyList<SftSample> ScoringOrder(TrainingData data, TrainingOptions options, IReadOnlySet<string> alreadyScored) =>
        [.. new EpochExamples(data.Examples(options.Objective), options.Seed, options.BatchSize).Samples(epoch: 0).Where(s => !alreadyScored.Contains(s.Id))];

    /// <summary>Trains from the start, or from <paramref name="resumeDirectory"/> on, until the last step or
    /// <paramref name="stop"/>; ends with a final checkpoint, or a checkpoint to resume from.</summary>
    public async Task<TrainingSummary> RunAsync(string? resumeDirectory, IProgress<StepMetrics>? progress, CancellationToken stop)
    {
        Prepare(resumeDirectory);
        var examples = await ExamplesOfEachEpoch(stop);
        using var optimizer = optim.AdamW(Stepped, options.LearningRate, weight_decay: options.WeightDecay);
        var start = resumeDirectory is null ? new TrainerState(0, 0, 0, 0, 0, options, _inputs) : TrainerState.Load(resumeDirectory) with { Options = options, Inputs = _inputs };
        // A resumed checkpoint at or past the last step (final/, or the last periodic one): nothing to train, nothing
        // written, and said so — not a run of no steps reported as one with blank figures.
        if (resumeDirectory is not null && start.Step >= options.TotalSteps(examples.Count))
            return new TrainingSummary(start.Step, start.Tokens, 0, 0, Interrupted: false, resumeDirectory, FinalEval: null, AlreadyComplete: true);
        if (resumeDirectory is not null)
            LoadOptimizerState(optimizer, resumeDirectory, start.Step);
        using var log = new RunRecorder(outputDirectory, resumedAt: resumeDirectory is null ? null : start.Step, options.TensorBoard, progress);
        using var samplesLog = _samplesLog = Answerer is null || options.EvalSamples == 0 || !data.HasEval ? null
            : SamplesLog.Open(Path.Combine(outputDirectory, SamplesLog.FileName), keepThroughStep: resumeDirectory is null ? null : start.Step);
        if (resumeDirectory is null && options.EvalOnStart && data.HasEval)
            Evaluated(step: 0, epoch: 0, log);
        var clock = new RunClock(start.ElapsedSeconds, trainScores);
        var end = await TrainEpochs(examples, start, optimizer, log, clock, stop);
        return Finish(end, optimizer, clock, log.Best);
    }

    /// <summary>Refuses what no step could train with — options out of range, an objective without the scores it
    /// needs, LoRA options that do not match the model — before anything waits for scores; then readies the model
    /// and the output directory (finishing any checkpoint an interrupted save left half-renamed). A model trained in
    /// bf16 gets its fp32 master copy here if its loader gave it none: a resumed run's from its checkpoint.</summary>
    private void Prepare(string? resumeDirectory)
    {
        options.Validate();
        if (options.Objective is not (ObjectiveKind.Ce or ObjectiveKind.Dft) && trainScores is null)
            throw new InvalidOperationException(options.Objective == ObjectiveKind.Dpo
                ? "objective 'dpo' needs the reference model's log-probs: a reference model to score online, or a score file"
                : $"objective '{ObjectiveNames.Of(options.Objective)}' needs reference scores: give a manifest or a score file");
        options.RequireLoraMatches(model);
        model.LogitsChunk = options.LogitsChunk;
        model.GradientCheckpointing = options.GradientCheckpointing;
        ModelCheckpoint.AttachMaster(model, resumeDirectory);
        model.train();
        Directory.CreateDirectory(outputDirectory);
        Checkpoint.RecoverInterruptedSaves(outputDirectory);
        Checkpoint.RecoverInterruptedSaves(Path.Combine(outputDirectory, CheckpointsFolder));
    }

    /// <summary>The examples every epoch trains on: all of them, or with the hard filter the top samples by r̄, for
    /// which every training sample's score is awaited first.</summary>
    private async Task<EpochExamples> ExamplesOfEachEpoch(CancellationToken stop)
    {
        var examples = data.Examples(options.Objective);
        if (options.KeepTopPercent >= 100)
            return new(examples, options.Seed, options.BatchSize);
        if (trainScores is null)
            throw new InvalidOperationException("--keep-top needs reference scores: give a manifest or a score file");
        await trainScores.WaitForAll(data.Train, stop);
        return new([.. HardFilter.KeepTop(data.Train, trainScores.Known, options.KeepTopPercent, options.KeepTopBy).Select(s => (IReadOnlyList<SftSample>)[s])],
            options.Seed, options.BatchSize);
    }

    /// <summary>Where the loop ended: the state a checkpoint saves, whether <c>stop</c> cut it short, and the last
    /// evaluation.</summary>
    private sealed record LoopEnd(TrainerState State, bool Interrupted, EvalMetrics? LastEval);

    /// <summary>The epochs from <paramref name="begin"/> on: one step per <c>grad_accum</c> micro-batches, each
    /// logged, evaluated and checkpointed as the options say, and an evaluation at each epoch's end.</summary>
    private async Task<LoopEnd> TrainEpochs(EpochExamples examples, TrainerState begin, OptimizerHelper optimizer, RunRecorder log, RunClock clock,
        CancellationToken stop)
    {
        var totalSteps = options.TotalSteps(examples.Count);
        var schedule = new LearningRateSchedule(options.LearningRate, totalSteps, options.WarmupRatio, options.MinLrRatio);
        var (state, lastEval) = (begin, (EvalMetrics?)null);
        for (var epoch = begin.Epoch; epoch < options.Epochs && state.Step < totalSteps; epoch++)
        {
            var microBatches = examples.MicroBatches(epoch);
            var first = epoch == begin.Epoch ? begin.MicroBatch : 0;
            for (var start = first; start < microBatches.Count && state.Step < totalSteps; start += options.GradientAccumulation)
            {
                var group = microBatches.Skip(start).Take(options.GradientAccumulation).ToList();
                StepMetrics metrics;
                try
                {
                    metrics = await Step(optimizer, group, schedule.At(state.Step), state.Step, totalSteps, epoch, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Where the unfinished step began: a resumed run takes it from there.
                    return new LoopEnd(new TrainerState(state.Step, epoch, start, state.Tokens, clock.Elapsed, options, _inputs), Interrupted: true, lastEval);
                }
                var next = start + options.GradientAccumulation;
                state = Recorded(metrics, state, next < microBatches.Count ? (epoch, next) : (epoch + 1, 0), clock, log);
                if (options.EvalEvery > 0 && state.Step % options.EvalEvery == 0 && data.HasEval)
                    lastEval = Evaluated(state.Step, epoch + 1, log);
                if (options.CheckpointEvery > 0 && state.Step % options.CheckpointEvery == 0)
                    Save(StepCheckpoint(outputDirectory, state.Step), state, optimizer);
                if (stop.IsCancellationRequested)
                    return new LoopEnd(state, Interrupted: true, lastEval);
            }
            if (data.HasEval && (options.EvalEvery == 0 || state.Step % options.EvalEvery != 0))
                lastEval = Evaluated(state.Step, epoch + 1, log);
        }
        return new LoopEnd(state, Interrupted: false, lastEval);
    }

    /// <summary>Logs and reports a finished step with the run's totals so far.</summary>
    /// <returns>Where the run stands after the step: <paramref name="next"/> is the epoch and micro-batch it goes on at.</returns>
    private TrainerState Recorded(StepMetrics metrics, TrainerState before, (int Epoch, int MicroBatch) next, RunClock clock, RunRecorder log)
    {
        var (step, tokens, elapsed) = (before.Step + 1, before.Tokens + metrics.Tokens, clock.Elapsed);
        metrics = metrics with { Step = step, TokensPerS = tokens / Math.Max(1e-9, elapsed), ScorerWaitS = clock.ScorerWaitOfStep(), ElapsedS = elapsed };
        log.Step(metrics);
        return new TrainerState(step, next.Epoch, next.MicroBatch, tokens, elapsed, options, _inputs);
    }

    /// <summary>For an interrupted run, the step checkpoint to resume from. For a finished one, final/ — the model
    /// without the optimizer's state, which for a 7–8B model is twice its fp32 weights and no part of what is
    /// published — and, with <c>checkpoint_every</c> set, the last step's checkpoint too (unless the period just
    /// wrote it), so that the run can be trained further exactly, as Hugging Face's Trainer saves a checkpoint at
    /// its last step when it saves by steps (transformers, trainer_callback.py, DefaultFlowCallback.on_step_end:
    /// "Save the model at the end if we have a save strategy").</summary>
    private TrainingSummary Finish(LoopEnd end, OptimizerHelper optimizer, RunClock clock, EvalMetrics? bestEval)
    {
        var step = StepCheckpoint(outputDirectory, end.State.Step);
        if (end.Interrupted || (options.CheckpointEvery > 0 && end.State.Step % options.CheckpointEvery != 0))
            Save(step, end.State, optimizer);
        var directory = end.Interrupted ? step : Path.Combine(outputDirectory, FinalFolder);
        if (!end.Interrupted)
            Save(directory, end.State, optimizer: null);
        return new TrainingSummary(end.State.Step, end.State.Tokens, clock.Elapsed, clock.ScorerWaitSinceStart, end.Interrupted, directory, end.LastEval)
        {
            BestEval = bestEval,
            ResumeCheckpoint = options.CheckpointEvery > 0 || end.Interrupted ? step : null,
        };
    }

    /// <summary>One optimizer step over <paramref name="microBatches"/>: each micro-batch's loss from the run's
    /// objective, back-propagated as its share of the step's mean; then clipping and the update.</summary>
    private async Task<StepMetrics> Step(OptimizerHelper optimizer, List<IReadOnlyList<SftSample>> microBatches, double lr, int step, int totalSteps, int epoch,
        CancellationToken stop)
    {
        optimizer.zero_grad();
        double loss = 0, ce = 0;
        var tally = new StepTally();
        long tokens = 0;
        foreach (var (index, samples) in microBatches.Index())
        {
            var scores = trainScores is null ? null : await trainScores.For(samples, stop);
            model.Lora?.Dropout.Seed(options.Seed, step, index);
            using var scope = NewDisposeScope();
            using var batch = new TrainingBatch([.. samples.Select(Tokenized)], placement.Device, options.PaddingFree);
            var (microLoss, microCe) = _objective.Loss(new MicroBatch(samples, batch, model, scores), tally);
            (microLoss / microBatches.Count).backward();
            loss += microLoss.item<float>() / microBatches.Count;
            ce += microCe / microBatches.Count;
            tokens += batch.Tokens;
        }
        model.Master?.TakeGradients();
        var gradNorm = nn.utils.clip_grad_norm_(Stepped, options.ClipNorm > 0 ? options.ClipNorm : float.MaxValue);
        // Checked before the update: the weights stay those of the last good step, and nothing non-finite
        // reaches metrics.jsonl or a checkpoint.
        if (!double.IsFinite(loss) || !double.IsFinite(gradNorm))
            throw Diverged(step + 1, $"{(double.IsFinite(loss) ? "the gradient norm" : "the loss")} is not finite (loss {loss}, gradient norm {gradNorm}, learning rate {lr:E2})");
        foreach (var parameterGroup in optimizer.ParamGroups)
            parameterGroup.LearningRate = lr;
        // The update's temporaries (AdamW's denominators and steps) are freed as it goes, not left for the
        // garbage collector; its state lives in the optimizer, outside any scope. No collection runs meanwhile: it could
        // free AdamW's temporary Scalars while libtorch reads them (WithoutCollections).
        WithoutCollections.Run(() =>
        {
            using (NewDisposeScope())
                optimizer.step();
        });
        model.Master?.Refresh();
        var taus = tally.Taus;
        return new StepMetrics("step", step + 1, totalSteps, epoch + 1, loss, ce, Mean(taus.Select(t => t.Tau)),
            Mean(taus.Where(t => !t.Noise).Select(t => t.Tau)), Mean(taus.Where(t => t.Noise).Select(t => t.Tau)),
            lr, gradNorm, tokens, 0, 0, 0) { Preference = tally.Pairs.Count > 0 ? PreferenceMetrics.Of(tally.Pairs) : null };
    }

    /// <summary>What AdamW updates and clipping measures: every weight, or with LoRA the adapter's alone; their
    /// fp32 master copy where the model holds them in bf16 (<see cref="MasterWeights"/>: the bf16 copy is
    /// refreshed from it after each step).</summary>
    private IEnumerable<Parameter> Stepped => model.Master?.Parameters ?? model.parameters().Where(p => p.requires_grad);

    /// <summary>An evaluation, logged, and the answers to the first <c>eval_samples</c> held-out prompts written.</summary>
    private EvalMetrics Evaluated(int step, int epoch, RunRecorder log)
    {
        var metrics = log.Eval(Evaluate(step, epoch));
        if (_samplesLog is not null && Answerer is not null)
        {
            var answers = data.Eval.Where(s => s.Messages.Any(m => m.Role == ChatMessage.User)).Take(options.EvalSamples).Select(PromptToAnswer.Of)
                .Select(p => new SampleAnswer(step, p.Id, p.Messages, p.Reference, Answerer.Answer(p.Messages))).ToList();
            _samplesLog.Write(answers);
            log.TensorBoard?.Text("eval/samples", SampleAnswer.Markdown(answers), step);
            SamplesAnswered?.Invoke(answers);
        }
        return metrics;
    }

    /// <summary>Held-out cross-entropy (mean −r_θ per sample), mean r_θ and, where scores exist, mean τ; for DPO
    /// also the held-out pairs' loss and preference metrics.</summary>
    public EvalMetrics Evaluate(int step, int epoch)
    {
        model.eval();
        using var _ = no_grad();
        var metrics = EvaluateSamples(step, epoch);
        if (data.EvalPairs.Count > 0)
        {
            var (loss, preference) = EvaluatePairs();
            if (!double.IsFinite(loss))
                throw Diverged(step, $"the held-out preference loss is not finite ({loss})");
            metrics = metrics with { PreferenceLoss = loss, Preference = preference };
        }
        model.train();
        return metrics;
    }

    private (double Loss, PreferenceMetrics Metrics) EvaluatePairs()
    {
        if (evalScores is null)
            throw new InvalidOperationException("held-out preference pairs need the reference's log-probs of their completions");
        var tally = new StepTally();
        double loss = 0;
        foreach (var pairs in data.EvalPairs.Chunk(options.BatchSize))
        {
            using var scope = NewDisposeScope();
            var samples = pairs.SelectMany(p => p.Samples).ToList();
            var reference = samples.Select(s => evalScores.Known.TryGetValue(s.Id, out var score) ? score
                : throw new InvalidOperationException($"held-out sample '{s.Id}': the reference has not scored it")).ToArray();
            using var batch = new TrainingBatch([.. samples.Select(Tokenized)], placement.Device, options.PaddingFree);
            loss += _objective.Loss(new MicroBatch(samples, batch, model, reference), tally).Loss.item<float>() * pairs.Length;
        }
        return (loss / data.EvalPairs.Count, PreferenceMetrics.Of(tally.Pairs));
    }

    private EvalMetrics EvaluateSamples(int step, int epoch)
    {
        if (data.Eval.Count == 0)
            return new EvalMetrics("eval", step, epoch, null, null, null, 0);
        double ce = 0, tau = 0;
        var tauCount = 0;
        foreach (var samples in Chunk([.. data.Eval], options.BatchSize))
        {
            using var scope = NewDisposeScope();
            using var batch = new TrainingBatch([.. samples.Select(Tokenized)], placement.Device, options.PaddingFree);
            var rTheta = RTheta(batch);
            ce -= rTheta.cpu().data<float>().ToArray().Sum();
            var scored = Enumerable.Range(0, samples.Count).Where(i => evalScores?.Known.ContainsKey(samples[i].Id) == true).ToArray();
            if (scored.Length == 0)
                continue;
            var rBar = tensor(scored.Select(i => (float)evalScores!.Known[samples[i].Id].Reference).ToArray(), device: placement.Device);
            tau += Objective.Tau(rTheta[tensor(scored.Select(i => (long)i).ToArray(), device: placement.Device)], rBar, options.ResolvedBeta, options.Gamma)
                .sum().item<float>();
            tauCount += scored.Length;
        }
        var n = data.Eval.Count;
        if (!double.IsFinite(ce))
            throw Diverged(step, $"the held-out cross-entropy is not finite ({ce / n})");
        return new EvalMetrics("eval", step, epoch, ce / n, -ce / n, tauCount > 0 ? tau / tauCount : null, data.Eval.Count);
    }

    /// <summary>[samples] mean response log-prob of each sample, in the batch's order.</summary>
    private Tensor RTheta(TrainingBatch batch) =>
        Objective.MeanResponseLogProb(batch.PerSample(model.TokenLogProbs(batch.InputIds, batch.AttentionMask, batch.ResponseMask)), batch.SampleResponseMask);

    private TrainingDivergedException Diverged(int step, string what) =>
        new($"step {step}: {what}; training stopped without applying it. " +
            (_lastCheckpoint is null ? "No checkpoint was written before it." : $"The last good checkpoint is {_lastCheckpoint}."));

    /// <exception cref="CheckpointNotResumableException">The checkpoint holds no optimizer state (a final/): refused, not
    /// continued with AdamW's moments at zero, naming the step checkpoint of the same step where the run kept one.</exception>
    private static void LoadOptimizerState(OptimizerHelper optimizer, string checkpoint, int step)
    {
        var path = Path.Combine(checkpoint, TrainerState.OptimizerFile);
        if (!File.Exists(path))
            throw CheckpointNotResumableException.For(checkpoint, StepCheckpoint(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, step), step);
        try
        {
            optimizer.load_state_dict(path);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not this run's optimizer state, or cut short ({e.Message})", e);
        }
    }

    /// <param name="optimizer">Its state is saved with a step checkpoint; null for final/, which keeps none.</param>
    private void Save(string directory, TrainerState state, OptimizerHelper? optimizer)
    {
        try
        {
            ModelCheckpoint.Save(model, directory, tokenizerDirectory, writeExtra: staging =>
            {
                state.Save(staging);
                optimizer?.save_state_dict(Path.Combine(staging, TrainerState.OptimizerFile));
                if (ChatTemplate is not null)
                    TokenizerConfigFile.WriteRunTemplate(staging, ChatTemplate, Checkpoint.TokenizerFiles);
                if (trainScores is not null)
                {
                    using var writer = ScoreFileWriter.Open(Path.Combine(staging, TrainerState.ScoresFile), resume: false, scorerModelNames);
                    foreach (var score in trainScores.Known.Values)
                        writer.Append(ScoreRecord.From(score, scorerModelNames));
                }
            });
            _lastCheckpoint = directory;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"checkpoint to {directory} failed ({e.Message}); earlier checkpoints are untouched", e);
        }
    }

    private TokenizedSample Tokenized(SftSample sample)
    {
        if (!_tokenized.TryGetValue(sample, out var tokenized))
            _tokenized[sample] = tokenized = data.Tokenize(sample);
        return tokenized;
    }

    private static List<List<T>> Chunk<T>(List<T> items, int size) => [.. items.Chunk(size).Select(c => c.ToList())];

    private static double? Mean(IEnumerable<float> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? null : list.Average(v => (double)v);
    }
}
