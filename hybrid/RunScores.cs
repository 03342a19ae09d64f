using System.Threading.Channels;
using PoFT.Hybrid.Config;
using PoFT.Scorer.Manifest;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Hybrid;

/// <summary>
/// A run's reference scores, from where its config says: a score file (the aligned models' r̄), the reference's
/// score files (DPO's ref_scores), or the online scorer — the aligned models, or DPO's reference model, scoring
/// with ONNX Runtime concurrently with training through the bounded channel: the held-out samples first (all of
/// them, before training starts), then the training samples in the order the trainer asks for them
/// (<see cref="PoftTrainer.ScoringOrder"/>). A CE run without aligned models has none. Disposing it stops the
/// online scorer once no inference is in flight.
/// </summary>
internal sealed class RunScores : IAsyncDisposable
{
    private readonly AlignedModelSet? _online;
    private readonly CancellationTokenSource? _cancelScoring;
    private readonly List<ScoringPipeline> _pipelines = [];

    private RunScores(IReadOnlyList<string> names, ReferenceScores? train, ReferenceScores? eval) => (Names, Train, Eval) = (names, train, eval);

    private RunScores(AlignedModelSet online, IReadOnlyList<string> names, CancellationToken stop)
        : this(names, null, null) => (_online, _cancelScoring) = (online, CancellationTokenSource.CreateLinkedTokenSource(stop));

    /// <summary>The scoring models' names, as checkpoints save the scores under them.</summary>
    public IReadOnlyList<string> Names { get; }

    public ReferenceScores? Train { get; private set; }

    public ReferenceScores? Eval { get; private set; }

    /// <param name="known">The scores a resumed run's checkpoint saved: the online scorer does not score them again.</param>
    public static async Task<RunScores> Open(TrainConfig config, TrainingData data, IReadOnlyList<PreferenceScore> known, Action<string> note,
        CancellationToken stop)
    {
        var byIfd = config.Training.KeepTopPercent < 100 && config.Training.KeepTopBy == KeepTopBy.Ifd;
        if (byIfd && config.Scores is null)
            throw new ArgumentException("training.keep_top_by: 'ifd' needs `scores`, a score file of `score --ifd`; the scorer that runs beside training computes r̄ only");
        if (config.Scores is not null)
        {
            var records = ScoreShardSet.ReadFileOrShards(config.Scores);
            if (byIfd && records.FirstOrDefault(r => !r.Models.All(m => m.HasIfd)) is { } without)
                throw new InvalidDataException($"{config.Scores}: record '{without.Id}' has no IFD, which training.keep_top_by 'ifd' ranks by; score the data with `score --ifd`");
            var scores = new ReferenceScores(records.Select(r => r.ToPreferenceScore()));
            ScoreCoverage.Require(config, "scores", config.Scores, scores.Known, "train_data", config.TrainData, data.Train.Select(s => s.Id));
            ScoreCoverage.RequireAllOrNone(config, "scores", config.Scores, scores.Known, "eval_data", config.EvalData, [.. data.Eval.Select(s => s.Id)], note);
            return new RunScores(records.Count > 0 ? [.. records[0].Models.Select(m => m.Name)] : [], scores, scores);
        }
        if (config.RefScores is not null)
        {
            var train = new ReferenceScores(ReferenceModel.ReadScores(config.RefScores, config, "ref_scores").Select(r => r.ToPreferenceScore()));
            ScoreCoverage.Require(config, "ref_scores", config.RefScores, train.Known, "train_data", config.TrainData, ScoreCoverage.CompletionIds(data.TrainPairs));
            var eval = config.EvalRefScores is null ? null
                : new ReferenceScores(ReferenceModel.ReadScores(config.EvalRefScores, config, "eval_ref_scores").Select(r => r.ToPreferenceScore()));
            if (eval is not null)
                ScoreCoverage.Require(config, "eval_ref_scores", config.EvalRefScores!, eval.Known, "eval_preference_data", config.EvalPreferenceData,
                    ScoreCoverage.CompletionIds(data.EvalPairs));
            return new RunScores([ReferenceModel.Name], train, eval);
        }
        var dpo = config.Training.Objective == ObjectiveKind.Dpo;
        var manifest = dpo ? ReferenceModel.Manifest(config, ReferenceModel.Prepare(config, note))
            : config.Manifest is null ? null : ModelsManifest.Load(config.Manifest);
        if (manifest is null)
            return new RunScores([], null, null);
        var online = new RunScores(AlignedModelSet.Open(manifest, new OrtScoringBackend(new OrtScoringOptions { IntraOpThreads = config.ScorerThreads }), tokenBudget: 0, note),
            manifest.Names, stop);
        try
        {
            // What evaluation scores: the held-out SFT samples' r̄ for PoFT's τ, the held-out pairs' completions for DPO.
            var evalSamples = dpo ? [.. data.EvalPairs.SelectMany(p => p.Samples)] : data.Eval;
            online.Eval = new ReferenceScores([], online.Start(evalSamples));
            await online.Eval.WaitForAll(evalSamples, stop);
            var order = PoftTrainer.ScoringOrder(data, config.Training, known.Select(s => s.SampleId).ToHashSet(StringComparer.Ordinal));
            online.Train = new ReferenceScores(known, online.Start(order));
            return online;
        }
        catch
        {
            await online.DisposeAsync();
            throw;
        }
    }

    private ChannelReader<ScoredBatch> Start(IReadOnlyList<SftSample> samples)
    {
        var pipeline = new ScoringPipeline(_online!.Models, new ScoringPipelineOptions());
        _pipelines.Add(pipeline);
        return pipeline.Start(samples, batchSize: 8, _cancelScoring!.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cancelScoring is null)
            return;
        // Training may end — or be stopped while it waits for scores — before the scorer has scored
        // everything; its sessions are disposed only once no inference is in flight.
        try
        {
            await _cancelScoring.CancelAsync();
            await Task.WhenAll(_pipelines.Select(p => p.Finished));
        }
        finally
        {
            _cancelScoring.Dispose();
            _online!.Dispose();
        }
    }
}
