using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Experiment.Report;
using PoFT.Experiment.WordNet;
using PoFT.Exporter;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Shared;
using PoFT.Checkpoints;
using PoFT.Scorer;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Scorer.Benchmarks;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Text.Tokenizers;
using PoFT.Trainer.Model;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Experiment;

/// <summary>What <c>demo</c> was asked for.</summary>
/// <param name="Dpo">Also run the DPO stage (<see cref="DpoStage"/>) on the targets of the highest noise level.</param>
/// <param name="Baselines">Also train the other robust-SFT rows (<see cref="ObjectiveLabels.Baselines"/>: IFD-filtered CE and PoFT, DFT).</param>
public sealed record DemoSettings(string Output, string Cache, string Assets, int Seeds, IReadOnlyList<double> NoiseLevels, bool Quick, string Command, bool Dpo = false,
    bool Baselines = false);

/// <summary>
/// The paper's noise-robustness experiment at small scale (docs/demo.md): WordNet definitions as SFT data;
/// a base model pre-trained on other WordNet text; aligned models with their own tokenizers and templates
/// trained on a disjoint split, exported to ONNX and listed in a manifest; then, for every noise level and
/// seed, the base model fine-tuned with each objective while the aligned models score online; a report.
/// The base and aligned models are cached under keys of their inputs; finished runs are reused when their
/// configuration is unchanged, so an interrupted experiment continues where it stopped.
/// </summary>
/// <param name="log">Where progress lines go (default: standard output).</param>
/// <param name="showTraining">A progress display for each training run, given its title (default: none).</param>
public sealed class NoiseExperiment(DemoSettings settings, Action<string>? log = null, Func<string, ITrainingDisplay>? showTraining = null)
{
    private readonly ExperimentPlan _plan = settings.Quick ? ExperimentPlan.Quick : ExperimentPlan.Default;
    private readonly StageCache _cache = new(settings.Cache);
    private readonly List<StageTime> _stages = [];
    private readonly List<string> _notes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _trainedRuns;

    public async Task<ExperimentResults> RunAsync(CancellationToken stop)
    {
        var root = Directory.CreateDirectory(settings.Output).FullName;
        var data = Timed("data (WordNet)", cached: false, () => WriteData(Path.Combine(root, "data")));
        var baseModel = await BaseModel(data, stop);
        var manifest = await AlignedModels(root, data, baseModel, stop);
        var clean = SftDataSet.Read(data.TrainClean).Samples;

        var runs = new List<RunResult>();
        var referenceScores = new List<ReferenceScoreSample>();
        var filters = new List<FilterCatch>();
        var runClock = Stopwatch.StartNew();
        var rows = ObjectiveLabels.RunsWith(settings.Baselines);
        var total = settings.NoiseLevels.Count * settings.Seeds * rows.Count;
        foreach (var noise in settings.NoiseLevels)
        {
            for (var seed = 1; seed <= settings.Seeds; seed++)
            {
                var directory = RunDirectory(root, noise, seed);
                var train = WriteTrainingSet(clean, directory, noise, seed);
                var ifdScores = await IfdScores(directory, train, manifest, stop);
                foreach (var (label, objective, filter) in rows)
                {
                    Log($"run {runs.Count + 1}/{total}: noise {noise:0.0#}, seed {seed}, {label}");
                    var result = noise == 0 && objective == ObjectiveKind.BiPoft
                        // With no marked samples bi-PoFT is PoFT, step for step: the PoFT run stands for it.
                        ? runs.Single(r => r.Noise == 0 && r.Seed == seed && r.Objective == ObjectiveLabels.Poft) with { Objective = label }
                        : await TargetRun(Path.Combine(directory, label), baseModel, train, data, manifest, label, objective, filter,
                            filter == KeepTopBy.Ifd ? ifdScores : null, noise, seed, stop);
                    result = await WithChoices(result, Path.Combine(directory, label), baseModel, data, stop);
                    runs.Add(result);
                    var last = result.Epochs[^1];
                    Log(string.Create(CultureInfo.InvariantCulture,
                        $"  held-out CE {last.HeldOutCe:F4} at epoch {last.Epoch}, best {result.Epochs.Skip(1).Min(e => e.HeldOutCe):F4} ({result.Seconds:F0} s)"));
                }
                referenceScores.Add(ReferenceScoresOf(Path.Combine(directory, ObjectiveLabels.Poft, "final"), train, noise, seed));
                filters.AddRange(FilterCatches(ifdScores, train, noise, seed));
            }
        }
        _stages.Add(new StageTime($"target runs ({_trainedRuns} trained, {runs.Count - _trainedRuns} reused)", runClock.Elapsed.TotalSeconds, Cached: _trainedRuns == 0));
        if (settings.NoiseLevels.Contains(0))
            _notes.Add("At noise 0 there are no marked samples, so bi-PoFT is PoFT step for step; the PoFT run stands for it.");
        var dpo = settings.Dpo ? await DpoRuns(root, data, stop) : null;

        var exportTarget = Path.Combine(RunDirectory(root, settings.NoiseLevels.Max(), seed: 1), ObjectiveLabels.Poft, "final");
        var difference = Timed("export PoFT target + verify", cached: false, () =>
        {
            var exported = Path.Combine(root, "target-onnx");
            LlamaOnnxExporter.Export(exportTarget, exported, new ExportOptions());
            return ExportCheck.Verify(exportTarget, exported);
        });
        var exportVerdict = difference <= ExportCheck.Tolerance ? "agree" : $"DISAGREE (tolerance {ExportCheck.Tolerance:0e0})";
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"The PoFT target of noise {settings.NoiseLevels.Max():0.0#}, seed 1 was exported to ONNX (target-onnx/); ONNX Runtime and TorchSharp {exportVerdict}: largest relative log-prob difference {difference:E2}."));

        var results = new ExperimentResults(settings.Command, MachineInfo.Versions(), MachineInfo.Describe(), [.. _stages], runs, referenceScores,
            [.. _plan.Aligned.Select(a => a.Name)], string.Join("\n\n", _notes), dpo, filters);
        var reportDirectory = Path.Combine(root, "report");
        Timed("report", cached: false, () =>
        {
            results.Save(Path.Combine(reportDirectory, ExperimentResults.FileName));
            ExperimentReport.Write(results, reportDirectory);
            return 0;
        });
        Log($"report: {Path.Combine(reportDirectory, ExperimentReport.FileName)}");
        // After the report, so that a failed export check loses none of the experiment.
        if (difference > ExportCheck.Tolerance)
            throw new InvalidOperationException($"the exported PoFT target disagrees with TorchSharp: relative difference {difference:E2} > {ExportCheck.Tolerance:0e0}");
        return results;
    }

    private sealed record DataFiles(string Directory, string Aligned, string TrainClean, string Test, string Pretrain, string PreferencesTrain, string PreferencesTest,
        string Choices);

    /// <summary>DPO from the CE and the PoFT target of the highest noise level, every seed.</summary>
    private async Task<List<DpoResult>> DpoRuns(string root, DataFiles data, CancellationToken stop)
    {
        var noise = settings.NoiseLevels.Max();
        var clock = Stopwatch.StartNew();
        var stage = new DpoStage(_plan, RunTraining, Log);
        var results = await stage.RunAsync(Path.Combine(root, "dpo", $"noise-{noise.ToString("0.0#", CultureInfo.InvariantCulture)}"),
            new DpoData(data.PreferencesTrain, data.PreferencesTest, data.Test), noise, settings.Seeds,
            (label, seed) => Path.Combine(RunDirectory(root, noise, seed), label, "final"), stop);
        _stages.Add(new StageTime($"DPO runs ({stage.Trained} trained, {results.Count - stage.Trained} reused)", clock.Elapsed.TotalSeconds, Cached: stage.Trained == 0));
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"DPO: from the CE and the PoFT target of noise {noise:0.0#}, each its own reference (exported to ONNX, scored online); " +
            $"{_plan.Dpo.Epochs} epoch(s) over {results[0].TrainPairs} WordNet preference pairs, β {_plan.DpoBeta}, lr {_plan.Dpo.LearningRate:0.#####}, batch {_plan.Dpo.BatchSize} pairs, sigmoid loss."));
        return results;
    }

    /// <summary>The target's starting point: its checkpoint, the content hash of its weights (what the stages
    /// built on it are keyed by), its held-out CE (every target curve's epoch 0) and multiple-choice accuracy.</summary>
    private sealed record BaseCheckpoint(string Directory, string WeightsHash, double HeldOutCe, ChoiceAccuracy Choices);

    /// <summary>A target training set as written for one noise level and seed.</summary>
    private sealed record TrainingSet(string Path, IReadOnlyList<SftSample> Samples);

    private static string RunDirectory(string root, double noise, int seed) =>
        Path.Combine(root, "runs", $"noise-{noise.ToString("0.0#", CultureInfo.InvariantCulture)}", $"seed-{seed}");

    private DataFiles WriteData(string directory)
    {
        var database = WordNetDatabase.Load(Path.Combine(settings.Assets, "wordnet"));
        var splits = WordNetTasks.Build(database, _plan.AlignedSamples, _plan.CleanTrainSamples, _plan.TestSamples, _plan.DataSeed, _plan.PretrainDocuments);
        WordNetTasks.WriteDataSet(directory, splits, Path.Combine(settings.Assets, "wordnet"));
        var files = new DataFiles(directory, Path.Combine(directory, WordNetTasks.AlignedFile), Path.Combine(directory, WordNetTasks.TrainFile),
            Path.Combine(directory, WordNetTasks.TestFile), Path.Combine(directory, WordNetTasks.PretrainFile),
            Path.Combine(directory, WordNetTasks.PreferenceTrainFile), Path.Combine(directory, WordNetTasks.PreferenceTestFile),
            Path.Combine(directory, WordNetChoices.FileName));
        var trainPairs = WordNetPreferences.Build(database, splits, splits.Train);
        var testPairs = WordNetPreferences.Build(database, splits, splits.Test);
        WordNetPreferences.Write(files.PreferencesTrain, trainPairs);
        WordNetPreferences.Write(files.PreferencesTest, testPairs);
        var template = new ChatTemplateSpec(_plan.TargetTemplate);
        var tokenizer = TokenizerLoader.LoadFromModelDirectory(Path.Combine(settings.Assets, _plan.TargetTokenizer));
        WordNetChoices.Write(files.Choices, WordNetChoices.Build(splits.Test, messages => GenerationPrompt.For(template, tokenizer, messages).Text, _plan.DataSeed));
        _notes.Add($"Data: WordNet 3.0 definitions — {splits.Aligned.Count} aligned-model samples, {splits.Train.Count} clean target-training samples, " +
            $"{splits.Test.Count} held-out test samples (disjoint words and synsets), {splits.PretrainText.Count} pre-training documents from the other synsets; " +
            $"preference pairs (the true gloss chosen, another sense's gloss of the same word rejected) for {trainPairs.Count} training and {testPairs.Count} test questions; " +
            $"a multiple-choice task ({WordNetChoices.FileName}) of the {splits.Test.Count} test questions, each with its true gloss among {WordNetChoices.Distractors} " +
            "glosses of other test words, the context the question as the target's template renders it up to the answer.");
        return files;
    }

    /// <summary>The target's starting point: a fresh model pre-trained on unlabelled WordNet text (cached).</summary>
    private async Task<BaseCheckpoint> BaseModel(DataFiles data, CancellationToken stop)
    {
        var tokenizer = Path.Combine(settings.Assets, _plan.TargetTokenizer);
        var recipe = new { _plan.Target, _plan.Pretraining, _plan.TargetTemplate, _plan.MaxLength, _plan.TargetTokenizer };
        var key = StageCache.Key("base", recipe, [data.Pretrain, data.Test, .. TokenizerFiles(tokenizer)], []);
        var (directory, cached) = await TimedAsync("base model (pre-training)", () => _cache.GetOrBuild("base", key, async building =>
        {
            var init = Path.Combine(building, "init");
            ModelCheckpoint.Initialize(_plan.Target.ToConfig, tokenizer, seed: 0, init);
            await Train("base model", init, _plan.TargetTemplate, data.Pretrain, data.Test, manifest: null, Path.Combine(building, "run"),
                Options(_plan.Pretraining, ObjectiveKind.Ce, seed: _plan.DataSeed), stop);
        }));
        var checkpoint = Path.Combine(directory, "run", "final");
        // Published under the run directory too, as the starting point configs/train.example.json trains from.
        Publish(checkpoint, Path.Combine(settings.Output, "base"), CheckpointFiles);
        var heldOut = RunMetrics.Read(Path.Combine(directory, "run", MetricsLog.FileName)).FinalHeldOutCe;
        var choices = await ChoiceAccuracyOf(checkpoint, data, stop);
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Base model: {_plan.Target.ToConfig(VocabularySize(tokenizer)).ParameterCount / 1e6:F1}M parameters ({_plan.TargetTokenizer} tokenizer), " +
            $"pre-trained for {_plan.Pretraining.Epochs} epoch(s) on the pre-training documents{(cached ? " (cached)" : "")}; held-out CE before fine-tuning {heldOut:F4}, " +
            $"multiple-choice accuracy {choices.Acc:F4} (acc_norm {choices.AccNorm:F4}; chance {1.0 / (WordNetChoices.Distractors + 1):F2})."));
        return new BaseCheckpoint(checkpoint, FileHash.Sha256(Path.Combine(checkpoint, Checkpoint.SingleFile)), heldOut, choices);
    }

    /// <summary>Builds (or reuses) every aligned model, copies their ONNX exports under the run directory
    /// and writes the manifest the target runs score with.</summary>
    private async Task<string> AlignedModels(string root, DataFiles data, BaseCheckpoint baseModel, CancellationToken stop)
    {
        var entries = new List<AlignedModelSpec>();
        foreach (var aligned in _plan.Aligned)
        {
            var tokenizer = Path.Combine(settings.Assets, aligned.Tokenizer);
            List<string> inputs = [data.Aligned, data.Test, .. TokenizerFiles(tokenizer)];
            if (aligned.PretrainDocuments > 0)
                inputs.Add(data.Pretrain);
            string[] upstream = aligned.FromBase ? [baseModel.WeightsHash] : [];
            var key = StageCache.Key("aligned", new { aligned, _plan.MaxLength }, inputs, upstream);
            var (directory, _) = await TimedAsync(aligned.Name, () => _cache.GetOrBuild(aligned.Name, key, async building =>
            {
                var start = baseModel.Directory;
                if (!aligned.FromBase)
                {
                    start = Path.Combine(building, "init");
                    ModelCheckpoint.Initialize(aligned.Shape.ToConfig, tokenizer, seed: 0, start);
                }
                var trainData = data.Aligned;
                if (aligned.PretrainDocuments > 0)
                {
                    trainData = Path.Combine(building, "train.jsonl");
                    SftDataWriter.WriteJsonLines(trainData, [.. SftDataSet.Read(data.Aligned).Samples,
                        .. SftDataSet.Read(data.Pretrain).Samples.Take(aligned.PretrainDocuments)]);
                }
                var summary = await Train(aligned.Name, start, aligned.Template, trainData, data.Test, manifest: null, Path.Combine(building, "run"),
                    Options(aligned.Training, ObjectiveKind.Ce, seed: _plan.DataSeed), stop);
                LlamaOnnxExporter.Export(summary.CheckpointDirectory, Path.Combine(building, "onnx"), new ExportOptions());
            }));
            var heldOut = RunMetrics.Read(Path.Combine(directory, "run", MetricsLog.FileName)).FinalHeldOutCe;
            _notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"Aligned model {aligned.Name}: {aligned.Tokenizer} tokenizer, {aligned.Template} template, " +
                $"{aligned.Shape.ToConfig(VocabularySize(tokenizer)).ParameterCount / 1e6:F1}M parameters, " +
                $"{(aligned.FromBase ? "started from the base model" : $"started fresh with {aligned.PretrainDocuments} pre-training documents mixed in")}, " +
                $"{aligned.Training.Epochs} epoch(s) on the aligned split; held-out CE {heldOut:F4} (its own tokens and template)."));

            var published = Path.Combine(root, "aligned", aligned.Name);
            Publish(Path.Combine(directory, "onnx"), published, Directory.GetFiles(Path.Combine(directory, "onnx")).Select(f => Path.GetFileName(f)));
            // The weights go beside their export (not the optimizer state), so that `score --backend torch` can cross-check the ONNX scores.
            Publish(Path.Combine(directory, "run", "final"), Path.Combine(published, "checkpoint"), CheckpointFiles);
            var isHf = File.Exists(Path.Combine(published, HfTokenizerJson.FileName));
            entries.Add(new AlignedModelSpec(
                Name: aligned.Name,
                Onnx: $"aligned/{aligned.Name}/{ScoringGraph.ModelFile}",
                Tokenizer: isHf
                    ? new TokenizerSpec(TokenizerSpec.HuggingFace, $"aligned/{aligned.Name}/{HfTokenizerJson.FileName}")
                    : new TokenizerSpec(TokenizerSpec.Gpt2, $"aligned/{aligned.Name}"),
                Template: new ChatTemplateSpec(aligned.Template),
                MaxLength: _plan.MaxLength,
                Checkpoint: $"aligned/{aligned.Name}/checkpoint"));
        }
        return new ModelsManifest(Path.Combine(root, "models-manifest.json"), entries).Save().Path;
    }

    /// <summary>The clean training split plus noise at the given fraction of the result, made with the
    /// paper's recipe from this seed.</summary>
    private TrainingSet WriteTrainingSet(IReadOnlyList<SftSample> clean, string directory, double noise, int seed)
    {
        var count = (int)Math.Round(clean.Count * noise / (1 - noise));
        var noisy = NoiseRecipe.Make(clean, count, _plan.Corruption, new Random(seed * 7919 + (int)Math.Round(noise * 1000)));
        var set = new TrainingSet(Path.Combine(directory, "train.jsonl"), [.. clean, .. noisy]);
        SftDataWriter.WriteJsonLines(set.Path, set.Samples);
        return set;
    }

    /// <summary>The training set scored by the aligned models with <c>--ifd</c> (r(y|x), r(y) and IFD per model): what the
    /// IFD-filtered runs rank by and what <see cref="FilterCatches"/> measures. Reused while the set and manifest are the same.</summary>
    private async Task<string> IfdScores(string directory, TrainingSet train, string manifest, CancellationToken stop)
    {
        var path = Path.Combine(directory, "scores-ifd.jsonl");
        var descriptionFile = Path.Combine(directory, "scores-ifd.json");
        var description = new JsonObject { ["train"] = FileHash.Sha256(train.Path), ["manifest"] = FileHash.Sha256(manifest) }.ToJsonString();
        if (File.Exists(path) && File.Exists(descriptionFile) && File.ReadAllText(descriptionFile) == description)
            return path;
        // Scored anew: what an earlier, stopped or failed scoring left (a prefix, its provenance) is not this set's.
        File.Delete(path);
        File.Delete(ScoreProvenance.PathOf(path));
        var clock = Stopwatch.StartNew();
        using (var run = ScoringOnlyRun.Open(ModelsManifest.Load(manifest), train.Path, path, resume: false, SampleShard.All, skipBad: false,
            new OrtScoringBackend(new OrtScoringOptions()), tokenBudget: 0, new ScoringPipelineOptions(), Log, ifd: true))
            await run.RunAsync(progress: null, stop);
        // A stopped scoring run leaves a resumable prefix: not to be taken for the whole set.
        stop.ThrowIfCancellationRequested();
        AtomicFile.WriteAllText(descriptionFile, description);
        Log(string.Create(CultureInfo.InvariantCulture, $"  scored {train.Samples.Count} samples with IFD in {clock.Elapsed.TotalSeconds:F1} s"));
        return path;
    }

    /// <summary>What keeping the plan's top share by r̄ and by IFD removes from one training set, against its noise marks.</summary>
    private IEnumerable<FilterCatch> FilterCatches(string ifdScores, TrainingSet train, double noise, int seed)
    {
        var scores = ScoreFile.Read(ifdScores).Select(r => r.ToPreferenceScore()).ToDictionary(s => s.SampleId);
        var noiseTotal = train.Samples.Count(s => s.IsNoise);
        foreach (var by in new[] { KeepTopBy.Rbar, KeepTopBy.Ifd })
        {
            var kept = HardFilter.KeepTop(train.Samples, scores, _plan.KeepTopPercent, by).Select(s => s.Id).ToHashSet();
            var removed = train.Samples.Where(s => !kept.Contains(s.Id)).ToList();
            yield return new FilterCatch(by == KeepTopBy.Rbar ? "rbar" : "ifd", noise, seed, _plan.KeepTopPercent, removed.Count,
                removed.Count(s => s.IsNoise), noiseTotal);
        }
    }

    private async Task<RunResult> TargetRun(string directory, BaseCheckpoint baseModel, TrainingSet train, DataFiles data, string manifest,
        string label, ObjectiveKind objective, KeepTopBy? filter, string? scores, double noise, int seed, CancellationToken stop)
    {
        var options = Options(_plan.TargetTraining, objective, seed) with
        {
            KeepTopPercent = filter is null ? 100 : _plan.KeepTopPercent,
            KeepTopBy = filter ?? KeepTopBy.Rbar,
        };
        var inputs = new JsonObject
        {
            ["base"] = baseModel.WeightsHash,
            ["train"] = FileHash.Sha256(train.Path),
            ["test"] = FileHash.Sha256(data.Test),
            ["manifest"] = FileHash.Sha256(manifest),
            ["options"] = JsonSerializer.SerializeToNode(options, TrainerState.Json),
        };
        if (scores is not null)
            inputs["scores"] = FileHash.Sha256(scores);
        var description = inputs.ToJsonString();
        var descriptionFile = Path.Combine(directory, "run.json");
        var resultFile = Path.Combine(directory, "result.json");
        if (File.Exists(descriptionFile) && File.ReadAllText(descriptionFile) == description && File.Exists(resultFile))
            return JsonSerializer.Deserialize<RunResult>(File.ReadAllText(resultFile), ExperimentResults.Json)!;

        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        var clock = Stopwatch.StartNew();
        // A run that ranks by IFD reads its scores (r̄ and IFD) from the score file; the others score online.
        await Train(label, baseModel.Directory, _plan.TargetTemplate, train.Path, data.Test, scores is null ? manifest : null, directory, options, stop, scores);
        _trainedRuns++;
        var metrics = RunMetrics.Read(Path.Combine(directory, MetricsLog.FileName));
        var result = new RunResult(label, noise, seed, [new EpochResult(0, baseModel.HeldOutCe, null, null), .. metrics.Epochs()], clock.Elapsed.TotalSeconds,
            train.Samples.Count, AnswersSection.Read(directory));
        AtomicFile.WriteAllText(resultFile, JsonSerializer.Serialize(result, ExperimentResults.Json));
        AtomicFile.WriteAllText(descriptionFile, description);
        return result;
    }

    /// <summary>A run's result with its multiple-choice accuracy before (the base model's) and after fine-tuning: measured
    /// on its final checkpoint where the result has none yet (a run reused from before the task existed included).</summary>
    private async Task<RunResult> WithChoices(RunResult result, string runDirectory, BaseCheckpoint baseModel, DataFiles data, CancellationToken stop)
    {
        if (result.ChoicesAfter is not null && result.ChoicesBefore == baseModel.Choices)
            return result;
        var measured = result with { ChoicesBefore = baseModel.Choices, ChoicesAfter = await ChoiceAccuracyOf(Path.Combine(runDirectory, "final"), data, stop) };
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "result.json"), JsonSerializer.Serialize(measured, ExperimentResults.Json));
        return measured;
    }

    /// <summary>A checkpoint's accuracy on the held-out multiple-choice task, as <c>eval --checkpoint</c> measures it.</summary>
    private static async Task<ChoiceAccuracy> ChoiceAccuracyOf(string checkpoint, DataFiles data, CancellationToken stop)
    {
        var (model, backend) = EvalModel.Checkpoint(checkpoint, "cpu");
        using (model.Model)
        {
            var evaluation = await BenchmarkEvaluation.RunAsync(checkpoint, backend, model, [MultipleChoiceTask.Read(data.Choices)], cancellation: stop);
            return new ChoiceAccuracy(evaluation.Overall.Acc, evaluation.Overall.AccNorm);
        }
    }

    private static ReferenceScoreSample ReferenceScoresOf(string checkpoint, TrainingSet train, double noise, int seed)
    {
        var isNoise = train.Samples.ToDictionary(s => s.Id, s => s.IsNoise);
        var scores = ScoreFile.Read(Path.Combine(checkpoint, TrainerState.ScoresFile));
        return new ReferenceScoreSample(noise, seed,
            [.. scores.Where(s => !isNoise[s.Id]).Select(s => s.Reference)],
            [.. scores.Where(s => isNoise[s.Id]).Select(s => s.Reference)]);
    }

    private TrainingOptions Options(TrainingRecipe recipe, ObjectiveKind objective, int seed) => new()
    {
        Objective = objective,
        LearningRate = recipe.LearningRate,
        BatchSize = recipe.BatchSize,
        Epochs = recipe.Epochs,
        WarmupRatio = 0.1,
        ClipNorm = 1.0,
        Seed = seed,
    };

    private Task<TrainingSummary> Train(string title, string model, string template, string trainData, string evalData, string? manifest, string output,
        TrainingOptions options, CancellationToken stop, string? scores = null) => RunTraining(title, new TrainConfig
        {
            Model = model,
            Template = new ChatTemplateSpec(template),
            MaxLength = _plan.MaxLength,
            TrainData = trainData,
            EvalData = evalData,
            Manifest = manifest,
            Scores = scores,
            Output = output,
            Training = options,
        }, stop);

    /// <summary>One training run to its end. A run stopped by <paramref name="stop"/> ends in a checkpoint to resume from, not a
    /// finished model: that is thrown as a cancellation, so that no stage caches, and no run records, a half-trained model.</summary>
    private async Task<TrainingSummary> RunTraining(string title, TrainConfig config, CancellationToken stop)
    {
        TrainingSummary summary;
        if (showTraining is null)
            summary = await OnlineTraining.RunAsync(config, resume: null, progress: null, stop, note: Log);
        else
        {
            await using var display = showTraining(title);
            summary = await OnlineTraining.RunAsync(config, resume: null, display, stop, note: Log);
        }
        if (summary.Interrupted)
            throw new OperationCanceledException($"{title}: stopped at step {summary.Steps}, before its end", stop);
        return summary;
    }

    private static int VocabularySize(string tokenizerDirectory) => TokenizerLoader.LoadFromModelDirectory(tokenizerDirectory).VocabularySize!.Value;

    private static IEnumerable<string> TokenizerFiles(string directory) =>
        Checkpoint.TokenizerFiles.Select(name => Path.Combine(directory, name)).Where(File.Exists);

    /// <summary>A checkpoint's model files, without the optimizer state: what a published model needs.</summary>
    private static readonly string[] CheckpointFiles = [Checkpoint.ConfigFile, Checkpoint.SingleFile, .. Checkpoint.TokenizerFiles];

    /// <summary>Copies <paramref name="names"/> into <paramref name="to"/>, replacing whatever was there.</summary>
    private static void Publish(string from, string to, IEnumerable<string> names)
    {
        if (Directory.Exists(to))
            Directory.Delete(to, recursive: true);
        Directory.CreateDirectory(to);
        foreach (var name in names.Where(n => File.Exists(Path.Combine(from, n))))
            File.Copy(Path.Combine(from, name), Path.Combine(to, name));
    }

    private T Timed<T>(string stage, bool cached, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        var result = work();
        _stages.Add(new StageTime(stage, clock.Elapsed.TotalSeconds, cached));
        Log($"{stage}: {clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    private async Task<(string Directory, bool Cached)> TimedAsync(string stage, Func<Task<(string Directory, bool Cached)>> work)
    {
        var clock = Stopwatch.StartNew();
        var result = await work();
        _stages.Add(new StageTime(stage, clock.Elapsed.TotalSeconds, result.Cached));
        Log($"{stage}: {(result.Cached ? "cached" : "built")} in {clock.Elapsed.TotalSeconds:F1} s ({result.Directory})");
        return result;
    }

    private void Log(string message) => (log ?? Console.WriteLine)($"[{_clock.Elapsed:hh\\:mm\\:ss}] {message}");
}
