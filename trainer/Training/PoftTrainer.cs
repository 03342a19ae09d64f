using System.Diagnostics;
using PoFT.Shared.Chat;
using PoFT.Shared.Checkpoints;
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
    IReadOnlyDictionary<string, string>? inputs = null)
{
    private readonly IReadOnlyDictionary<string, string> _inputs = inputs ?? new Dictionary<string, string>();
    // By sample, not by id: a held-out file may reuse the training file's ids for other samples.
    private readonly Dictionary<SftSample, TokenizedSample> _tokenized = new(ReferenceEqualityComparer.Instance);
    private readonly ITrainingObjective _objective = options.ToObjective();
    private string? _lastCheckpoint;

    /// <summary>Where a run's periodic and interrupted checkpoints go, below its output directory.</summary>
    public const string CheckpointsFolder = "checkpoints";

    /// <summary>
    /// The training samples whose reference scores this trainer will still ask for, in the order it will
    /// ask: the first epoch's order (of samples, or of pairs with the chosen completion first), less those
    /// already scored. An online scorer must deliver in exactly this order (<see cref="ReferenceScores"/>
    /// refuses any other); later epochs reuse the first epoch's scores. With the hard filter every score is
    /// needed before the first step, so all are read anyway.
    /// </summary>
    public static IReadOnlyList<SftSample> ScoringOrder(TrainingData data, TrainingOptions options, IReadOnlySet<string> alreadyScored)
    {
        var examples = data.Examples(options.Objective);
        return [.. new EpochSampler(examples.Count, options.Seed).Order(0).SelectMany(i => examples[i]).Where(s => !alreadyScored.Contains(s.Id))];
    }

    public async Task<TrainingSummary> RunAsync(string? resumeDirectory, IProgress<StepMetrics>? progress, CancellationToken stop)
    {
        options.Validate();
        model.LogitsChunk = options.LogitsChunk;
        model.GradientCheckpointing = options.GradientCheckpointing;
        if (options.Objective != ObjectiveKind.Ce && trainScores is null)
            throw new InvalidOperationException(options.Objective == ObjectiveKind.Dpo
                ? "objective 'dpo' needs the reference model's log-probs: a reference model to score online, or a score file"
                : $"objective '{ObjectiveNames.Of(options.Objective)}' needs reference scores: give a manifest or a score file");
        Directory.CreateDirectory(outputDirectory);
        Checkpoint.RecoverInterruptedSaves(outputDirectory);
        Checkpoint.RecoverInterruptedSaves(Path.Combine(outputDirectory, CheckpointsFolder));
        var kept = await KeptExamples(stop);
        var totalSteps = options.TotalSteps(kept.Count);
        var schedule = new LearningRateSchedule(options.LearningRate, totalSteps, options.WarmupRatio, options.MinLrRatio);
        var sampler = new EpochSampler(kept.Count, options.Seed);
        if ((options.Lora is null) != (model.Lora is null))
            throw new InvalidOperationException(options.Lora is null
                ? "the model has a LoRA adapter attached but training.lora is null; give the run its lora options"
                : "training.lora is set but the model has no adapter attached; load it with ModelCheckpoint.LoadForTraining");
        model.train();
        using var optimizer = optim.AdamW(Trainable, options.LearningRate, weight_decay: options.WeightDecay);
        var state = new TrainerState(0, 0, 0, 0, 0, options, _inputs);
        if (resumeDirectory is not null)
        {
            state = TrainerState.Load(resumeDirectory) with { Options = options, Inputs = _inputs };
            LoadOptimizerState(optimizer, Path.Combine(resumeDirectory, TrainerState.OptimizerFile));
        }

        // A resumed run re-runs the steps after its checkpoint: their earlier records go, so none is there twice.
        using var log = MetricsLog.Open(Path.Combine(outputDirectory, MetricsLog.FileName), keepThroughStep: resumeDirectory is null ? null : state.Step);
        if (resumeDirectory is null && options.EvalOnStart && data.HasEval)
            log.Write(Evaluate(step: 0, epoch: 0));
        var clock = Stopwatch.StartNew();
        var elapsedBefore = state.ElapsedSeconds;
        var waitBefore = trainScores?.WaitTime ?? TimeSpan.Zero;
        var waitBeforeStep = waitBefore;
        EvalMetrics? lastEval = null;
        var (step, tokens) = (state.Step, state.Tokens);
        var interrupted = false;

        for (var epoch = state.Epoch; epoch < options.Epochs && step < totalSteps && !interrupted; epoch++)
        {
            var micro = Chunk(sampler.Order(epoch).Select(i => kept[i]).ToList(), options.BatchSize);
            var first = epoch == state.Epoch ? state.MicroBatch : 0;
            for (var start = first; start < micro.Count && step < totalSteps; start += options.GradientAccumulation)
            {
                var group = micro.Skip(start).Take(options.GradientAccumulation).ToList();
                StepMetrics metrics;
                try
                {
                    metrics = await Step(optimizer, group, schedule.At(step), step, totalSteps, epoch, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    state = new TrainerState(step, epoch, start, tokens, elapsedBefore + clock.Elapsed.TotalSeconds, options, _inputs);
                    interrupted = true;
                    break;
                }
                step++;
                tokens += metrics.Tokens;
                var elapsed = elapsedBefore + clock.Elapsed.TotalSeconds;
                metrics = metrics with
                {
                    Step = step,
                    TokensPerS = tokens / Math.Max(1e-9, elapsed),
                    ScorerWaitS = ((trainScores?.WaitTime ?? TimeSpan.Zero) - waitBeforeStep).TotalSeconds,
                    ElapsedS = elapsed,
                };
                waitBeforeStep = trainScores?.WaitTime ?? TimeSpan.Zero;
                log.Write(metrics);
                progress?.Report(metrics);
                var next = start + options.GradientAccumulation;
                state = next < micro.Count
                    ? new TrainerState(step, epoch, next, tokens, elapsed, options, _inputs)
                    : new TrainerState(step, epoch + 1, 0, tokens, elapsed, options, _inputs);
                if (options.EvalEvery > 0 && step % options.EvalEvery == 0 && data.HasEval)
                    log.Write(lastEval = Evaluate(step, epoch + 1));
                if (options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)
                    Save(Path.Combine(outputDirectory, CheckpointsFolder, $"step-{step:D6}"), state, optimizer);
                if (stop.IsCancellationRequested)
                {
                    interrupted = true;
                    break;
                }
            }
            if (!interrupted && data.HasEval && (options.EvalEvery == 0 || step % options.EvalEvery != 0))
                log.Write(lastEval = Evaluate(step, epoch + 1));
        }

        var final = interrupted ? Path.Combine(outputDirectory, CheckpointsFolder, $"step-{state.Step:D6}") : Path.Combine(outputDirectory, "final");
        Save(final, state, optimizer);
        return new TrainingSummary(state.Step, tokens, elapsedBefore + clock.Elapsed.TotalSeconds,
            ((trainScores?.WaitTime ?? TimeSpan.Zero) - waitBefore).TotalSeconds, interrupted, final, lastEval);
    }

    /// <summary>One optimizer step over <paramref name="group"/>'s micro-batches: each micro-batch's loss from the run's
    /// objective, back-propagated as its share of the step's mean; then clipping and the update.</summary>
    private async Task<StepMetrics> Step(OptimizerHelper optimizer, List<List<IReadOnlyList<SftSample>>> group, double lr, int step, int totalSteps, int epoch,
        CancellationToken stop)
    {
        optimizer.zero_grad();
        double loss = 0, ce = 0;
        var tally = new StepTally();
        long tokens = 0;
        foreach (var (index, examples) in group.Index())
        {
            var samples = examples.SelectMany(e => e).ToList();
            var scores = trainScores is null ? null : await trainScores.For(samples, stop);
            model.Lora?.Dropout.Seed(options.Seed, step, index);
            using var scope = NewDisposeScope();
            using var batch = new TrainingBatch([.. samples.Select(Tokenized)], placement.Device, options.PaddingFree);
            var (microLoss, microCe) = _objective.Loss(new MicroBatch(samples, batch, model, scores), tally);
            (microLoss / group.Count).backward();
            loss += microLoss.item<float>() / group.Count;
            ce += microCe / group.Count;
            tokens += batch.Tokens;
        }
        var gradNorm = nn.utils.clip_grad_norm_(Trainable, options.ClipNorm > 0 ? options.ClipNorm : float.MaxValue);
        // Checked before the update: the weights stay those of the last good step, and nothing non-finite
        // reaches metrics.jsonl or a checkpoint.
        if (!double.IsFinite(loss) || !double.IsFinite(gradNorm))
            throw Diverged(step + 1, $"{(double.IsFinite(loss) ? "the gradient norm" : "the loss")} is not finite (loss {loss}, gradient norm {gradNorm}, learning rate {lr:E2})");
        foreach (var parameterGroup in optimizer.ParamGroups)
            parameterGroup.LearningRate = lr;
        // The update's temporaries (AdamW's denominators and steps) are freed as it goes, not left for the
        // garbage collector; its state lives in the optimizer, outside any scope.
        using (NewDisposeScope())
            optimizer.step();
        var taus = tally.Taus;
        return new StepMetrics("step", step + 1, totalSteps, epoch + 1, loss, ce, Mean(taus.Select(t => t.Tau)),
            Mean(taus.Where(t => !t.Noise).Select(t => t.Tau)), Mean(taus.Where(t => t.Noise).Select(t => t.Tau)),
            lr, gradNorm, tokens, 0, 0, 0) { Preference = tally.Pairs.Count > 0 ? PreferenceMetrics.Of(tally.Pairs) : null };
    }

    /// <summary>What AdamW updates and clipping measures: every weight, or with LoRA the adapter's alone.</summary>
    private IEnumerable<Parameter> Trainable => model.parameters().Where(p => p.requires_grad);

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

    private async Task<IReadOnlyList<IReadOnlyList<SftSample>>> KeptExamples(CancellationToken stop)
    {
        var examples = data.Examples(options.Objective);
        if (options.KeepTopPercent >= 100)
            return examples;
        if (trainScores is null)
            throw new InvalidOperationException("--keep-top needs reference scores: give a manifest or a score file");
        await trainScores.WaitForAll(data.Train, stop);
        return [.. HardFilter.KeepTop(data.Train, trainScores.Known, options.KeepTopPercent).Select(s => (IReadOnlyList<SftSample>)[s])];
    }

    private TrainingDivergedException Diverged(int step, string what) =>
        new($"step {step}: {what}; training stopped without applying it. " +
            (_lastCheckpoint is null ? "No checkpoint was written before it." : $"The last good checkpoint is {_lastCheckpoint}."));

    private static void LoadOptimizerState(OptimizerHelper optimizer, string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: the checkpoint has no optimizer state to resume from", path);
        try
        {
            optimizer.load_state_dict(path);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not this run's optimizer state, or cut short ({e.Message})", e);
        }
    }

    private void Save(string directory, TrainerState state, OptimizerHelper optimizer)
    {
        try
        {
            ModelCheckpoint.Save(model, directory, tokenizerDirectory, writeExtra: staging =>
            {
                state.Save(staging);
                optimizer.save_state_dict(Path.Combine(staging, TrainerState.OptimizerFile));
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
