using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;

namespace PoFT.Bench;

/// <summary>Several aligned models (sessions of one ONNX file) in one <see cref="ScoringPipeline"/>, as
/// `score` runs a manifest's models: concurrently, each with its own sessions and threads.</summary>
public sealed class ConcurrentScorers : IDisposable
{
    private readonly List<OrtTokenLogProbModel> _sessions;
    private readonly BatchBudget _budget;

    public ConcurrentScorers(string onnxPath, int count, int threadsEach, BatchBudget budget)
    {
        _sessions = [.. Enumerable.Range(0, count).Select(_ => BenchModels.OpenOrt(onnxPath, threadsEach))];
        _budget = budget;
    }

    /// <returns>Seconds until every sample is scored by every model.</returns>
    public async Task<double> ScoreAsync(SyntheticData data)
    {
        var models = _sessions.Select((s, j) => new AlignedScorerModel($"m{j}", 1, data.Tokenize, s, _budget)).ToList();
        var pipeline = new ScoringPipeline(models, new ScoringPipelineOptions());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await foreach (var _ in pipeline.Start(data.Samples, batchSize: 64).ReadAllAsync())
        {
        }
        return clock.Elapsed.TotalSeconds;
    }

    public void Dispose() => _sessions.ForEach(s => s.Dispose());
}
