using PoFT.Scorer.Manifest;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer;

/// <summary>
/// The scoring-only mode: every sample of a data file (or of one shard of it) scored by a manifest's
/// aligned models into a score file, appended record by record as batches finish, so an interrupted run
/// keeps what it scored and <c>resume</c> scores only the missing ids.
/// </summary>
public sealed class ScoringOnlyRun : IDisposable
{
    private readonly ModelsManifest _manifest;
    private readonly ScoreFileWriter _writer;
    private readonly ScoringPipelineOptions _pipelineOptions;

    public AlignedModelSet Models { get; }
    public SftDataSet Data { get; }

    /// <summary>The samples this run scores: the shard's, less those already in the file.</summary>
    public IReadOnlyList<SftSample> Todo { get; }

    public int AlreadyScored => _writer.AlreadyScored.Count;

    private ScoringOnlyRun(ModelsManifest manifest, ScoreFileWriter writer, ScoringPipelineOptions pipelineOptions, AlignedModelSet models,
        SftDataSet data, IReadOnlyList<SftSample> todo)
    {
        (_manifest, _writer, _pipelineOptions, Models, Data, Todo) = (manifest, writer, pipelineOptions, models, data, todo);
    }

    /// <param name="tokenBudget">Padded tokens per batch; 0 picks each model's from its vocabulary size.</param>
    public static ScoringOnlyRun Open(ModelsManifest manifest, string dataPath, string outPath, bool resume, SampleShard shard, bool skipBad,
        IScoringBackend backend, int tokenBudget, ScoringPipelineOptions pipelineOptions, Action<string> warn)
    {
        var data = SftDataSet.Read(dataPath, skipBad);
        var writer = ScoreFileWriter.Open(outPath, resume, manifest.Names);
        try
        {
            var todo = data.Samples.Where(s => shard.Contains(s.Id) && !writer.AlreadyScored.Contains(s.Id)).ToList();
            return new ScoringOnlyRun(manifest, writer, pipelineOptions, AlignedModelSet.Open(manifest, backend, tokenBudget, warn), data, todo);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <param name="progress">Samples scored so far and the tokens they took, after each batch.</param>
    /// <returns>The pipeline, whose statistics describe the run.</returns>
    public async Task<ScoringPipeline> RunAsync(IProgress<(int Samples, long Tokens)>? progress, CancellationToken cancellation)
    {
        var pipeline = new ScoringPipeline(Models.Models, _pipelineOptions);
        var scored = 0;
        await foreach (var batch in pipeline.Start(Todo, batchSize: 64, cancellation).ReadAllAsync(cancellation))
        {
            foreach (var score in batch.Scores)
                _writer.Append(ScoreRecord.From(score, _manifest.Names));
            _writer.Flush();
            scored += batch.Samples.Count;
            progress?.Report((scored, pipeline.Statistics.Sum(s => s.Tokens)));
        }
        return pipeline;
    }

    public void Dispose()
    {
        Models.Dispose();
        _writer.Dispose();
    }
}
