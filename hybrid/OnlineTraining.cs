using System.Threading.Channels;
using PoFT.Hybrid.Config;
using PoFT.Scorer.Manifest;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Shared.Tokenizers;
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
    /// <param name="resume">A checkpoint of this run to continue from, or null for a new run.</param>
    /// <param name="fromFlags">Options the command line set (errors name them as flags).</param>
    /// <param name="note">Told of what a resume applies and what a model falls back to.</param>
    public static async Task<TrainingSummary> RunAsync(TrainConfig config, string? resume, IProgress<StepMetrics>? progress, CancellationToken stop,
        IReadOnlySet<TrainOption>? fromFlags = null, Action<string>? note = null)
    {
        note ??= Console.Error.WriteLine;
        if (resume is not null)
            config = ResumeRules.Check(config, resume, TrainerState.Load(resume), fromFlags ?? new HashSet<TrainOption>(), note);
        var inputs = ResumeRules.Inputs(config);
        var options = config.Training;
        var placement = Placement.Resolve(config.Device, config.Dtype);
        var source = resume ?? config.Model;
        using var model = ModelCheckpoint.Load(source, placement);
        var tokenizer = TokenizerLoader.LoadFromModelDirectory(source);
        var target = new ChatTokenizer(tokenizer, config.Template, config.MaxLength, config.Truncation);
        var train = SftDataSet.Read(config.TrainData).Samples;
        var eval = config.EvalData is null ? [] : SftDataSet.Read(config.EvalData).Samples;

        var known = resume is null ? [] : ScoreFile.Read(Path.Combine(resume, TrainerState.ScoresFile)).Select(r => r.ToPreferenceScore()).ToList();
        var manifest = config.Manifest is null || config.Scores is not null ? null : ModelsManifest.Load(config.Manifest);
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
        ReferenceScores? trainScores = null, evalScores = null;
        if (config.Scores is not null)
        {
            var records = ScoreFile.Read(config.Scores);
            names = records.Count > 0 ? [.. records[0].Models.Select(m => m.Name)] : [];
            trainScores = new ReferenceScores(records.Select(r => r.ToPreferenceScore()));
            evalScores = trainScores;
        }
        else if (aligned is not null)
        {
            evalScores = new ReferenceScores([], Start(eval));
            await evalScores.WaitForAll(eval, stop);
            var order = PoftTrainer.ScoringOrder(train, options, known.Select(s => s.SampleId).ToHashSet(StringComparer.Ordinal));
            trainScores = new ReferenceScores(known, Start(order));
        }

        var trainer = new PoftTrainer(model, placement, options, new TrainingData(train, eval, target.Tokenize),
            trainScores, evalScores, names, config.Output, tokenizerDirectory: source, inputs);
        try
        {
            return await trainer.RunAsync(resume, progress, stop);
        }
        finally
        {
            // Training may end before the scorer has scored everything (max_steps, interruption); its
            // sessions are disposed only once no inference is in flight.
            await cancelScoring.CancelAsync();
            await Task.WhenAll(pipelines.Select(p => p.Finished));
        }
    }
}
