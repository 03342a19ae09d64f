using PoFT.Scorer.Manifest;
using PoFT.Scorer.Pipeline;
using PoFT.Scorer.Quality;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer;

/// <summary>
/// The scoring-only mode: every sample of a data file (or of one shard of it) — SFT samples, or each preference
/// pair's chosen and rejected completion (<see cref="SampleData"/>) — scored by a manifest's aligned models into
/// a score file, appended record by record as batches finish, so an interrupted run keeps what it scored and
/// <c>resume</c> scores only the missing ids.
/// </summary>
public sealed class ScoringOnlyRun : IDisposable
{
    private readonly ModelsManifest _manifest;
    private readonly ScoreOutput _output;
    private readonly ScoringPipelineOptions _pipelineOptions;
    private readonly bool _ifd;

    public AlignedModelSet Models { get; }
    public SftDataSet Data { get; }

    /// <summary>The samples this run scores: the shard's, less those already in the file (and under <c>skipBad</c>,
    /// less those some model's tokenization cannot fit, <see cref="Unfit"/>).</summary>
    public IReadOnlyList<SftSample> Todo { get; }

    /// <summary>Under <c>skipBad</c>, the samples left unscored because some aligned model's max_length and truncation
    /// cannot fit them, each with its file:line and why; they are not in the score file.</summary>
    public IReadOnlyList<SkippedRecord> Unfit { get; private init; } = [];

    public int AlreadyScored => _output.AlreadyScored.Count;

    private ScoringOnlyRun(ModelsManifest manifest, ScoreOutput output, ScoringPipelineOptions pipelineOptions, bool ifd, AlignedModelSet models,
        SftDataSet data, IReadOnlyList<SftSample> todo)
    {
        (_manifest, _output, _pipelineOptions, _ifd, Models, Data, Todo) = (manifest, output, pipelineOptions, ifd, models, data, todo);
    }

    /// <param name="tokenBudget">Padded tokens per batch; 0 picks each model's from its vocabulary size.</param>
    /// <param name="format">How the data file is read (<c>--data-format</c>, <c>--data-columns</c>); default: detected.</param>
    /// <param name="ifd">Each model also scores each response without its prompt (<see cref="ResponseOnlySample"/>): records carry
    /// r(y) and IFD (docs/scoring.md, "IFD").</param>
    public static ScoringOnlyRun Open(ModelsManifest manifest, string dataPath, string outPath, bool resume, SampleShard shard, bool skipBad,
        IScoringBackend backend, int tokenBudget, ScoringPipelineOptions pipelineOptions, Action<string> warn, DataFormat? format = null, bool ifd = false)
    {
        var data = SampleData.Read(dataPath, skipBad, format);
        var output = ScoreOutput.Open(outPath, resume, manifest.Names,
            () => ScoreProvenance.Of(manifest, backend.GetType().Name, ScoredData.Of(data, shard), ifd), manifest.Path);
        try
        {
            var todo = data.Samples.Where(s => shard.Contains(s.Id) && !output.AlreadyScored.Contains(s.Id)).ToList();
            var models = AlignedModelSet.Open(manifest, backend, tokenBudget, warn);
            if (!skipBad)
                return new ScoringOnlyRun(manifest, output, pipelineOptions, ifd, models, data, todo);
            var (fitting, unfit) = PoFT.Text.Chat.FittingSamples.Of(todo, [.. models.Models.Select(m => (m.Name, m.Tokenize))]);
            return new ScoringOnlyRun(manifest, output, pipelineOptions, ifd, models, data, fitting) { Unfit = unfit };
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <param name="progress">Samples scored so far and the tokens they took, after each batch.</param>
    /// <returns>The pipeline, whose statistics describe the run.</returns>
    public async Task<ScoringPipeline> RunAsync(IProgress<(int Samples, long Tokens)>? progress, CancellationToken cancellation)
    {
        var pipeline = new ScoringPipeline(Models.Models, _pipelineOptions);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var scored = 0;
        var pairs = _ifd ? new IfdPairs() : null;
        try
        {
            var input = pairs is null ? Todo : pairs.Interleave(Todo);
            await foreach (var batch in pipeline.Start(input, batchSize: 64, stop.Token).ReadAllAsync(cancellation))
            {
                List<ScoreRecord> records = pairs is null
                    ? [.. batch.Scores.Select(score => ScoreRecord.From(score, _manifest.Names))]
                    : pairs.Complete(batch, _manifest.Names);
                _output.Append(records);
                scored += records.Count;
                progress?.Report((scored, pipeline.Statistics.Sum(s => s.Tokens)));
            }
        }
        finally
        {
            // Stopped or failed part-way: the sessions are disposed only once no inference is in flight.
            await stop.CancelAsync();
            await pipeline.Finished;
        }
        _output.Complete();
        return pipeline;
    }

    /// <summary>The data-quality report of the whole score file (resumed records included), beside it; noise
    /// marks from this run's data. Null where the file holds no record (a shard with no sample in it).</summary>
    public (ScoreQualityReport Report, string Markdown)? WriteQualityReport()
    {
        var records = ScoreFile.Read(_output.Path);
        if (records.Count == 0)
            return null;
        var report = ScoreQualityReport.Of(_output.Path, records, Data.Samples.ToDictionary(s => s.Id, s => s.IsNoise));
        return (report, ScoreQualityFiles.Write(report));
    }

    public void Dispose()
    {
        Models.Dispose();
        _output.Dispose();
    }
}
