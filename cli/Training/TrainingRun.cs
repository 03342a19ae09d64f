using System.Threading.Channels;
using PoFT.Cli.Scoring;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Shared.Tokenizers;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Cli.Training;

/// <summary>
/// One training run as the <c>train</c> verb and the demo start it: the target model and its tokenization,
/// the data, and the reference scores — read from a score file, or streamed by the aligned models'
/// scoring pipeline running concurrently with training, in the trainer's epoch-0 order.
/// </summary>
public static class TrainingRun
{
    public static async Task<TrainingSummary> RunAsync(TrainConfig config, string? resume, IProgress<StepMetrics>? progress, CancellationToken stop)
    {
        var placement = Placement.Resolve(config.Device, config.Dtype);
        var source = resume ?? config.Model;
        using var model = ModelCheckpoint.Load(source, placement);
        var tokenizer = TokenizerLoader.LoadFromModelDirectory(source);
        var target = new ChatTokenizer(tokenizer, config.Template, config.MaxLength, config.Truncation);
        var train = SftDataSet.Read(config.TrainData).Samples;
        var eval = config.EvalData is null ? [] : SftDataSet.Read(config.EvalData).Samples;
        var options = resume is null ? config.Training : TrainerState.Load(resume).Options;

        var known = resume is null ? [] : ScoreFile.Read(Path.Combine(resume, TrainerState.ScoresFile)).Select(r => r.ToPreferenceScore()).ToList();
        var manifest = config.Manifest is null || config.Scores is not null ? null : ModelsManifest.Load(config.Manifest);
        using var aligned = manifest is null
            ? null
            : AlignedModelSet.Open(manifest, ScoringBackend.Onnx,
                new OrtScoringOptions { IntraOpThreads = config.ScorerThreads }, tokenBudget: 0, Console.Error.WriteLine);
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
            var knownIds = known.Select(s => s.SampleId).ToHashSet();
            var order = new EpochSampler(train.Count, options.Seed).Order(0).Select(i => train[i]).Where(s => !knownIds.Contains(s.Id)).ToList();
            trainScores = new ReferenceScores(known, Start(order));
        }

        var trainer = new PoftTrainer(model, placement, options, new TrainingData(train, eval, target.Tokenize),
            trainScores, evalScores, names, config.Output, tokenizerDirectory: source);
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
