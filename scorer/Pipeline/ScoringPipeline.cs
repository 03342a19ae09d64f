using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Pipeline;

/// <summary>
/// Scores samples with every aligned model, in the order given, and streams the results through a
/// bounded channel. Samples travel in windows; per model, tokenization (on worker threads) runs ahead of
/// inference, and the models run concurrently; a merger emits each window's scores in input order.
/// One failure anywhere ends every stage and reaches the consumer as the channel's exception; the
/// consumer's cancellation ends every stage too.
/// </summary>
public sealed class ScoringPipeline(IReadOnlyList<AlignedScorerModel> models, ScoringPipelineOptions options)
{
    public IReadOnlyList<ModelStatistics> Statistics { get; } = [.. models.Select(m => new ModelStatistics(m.Name))];

    /// <summary>Completes once every stage has stopped — after the last window, a failure or a cancellation —
    /// whether or not the consumer read everything (the channel's own Completion waits for that too).
    /// Await it before disposing the models.</summary>
    public Task Finished { get; private set; } = Task.CompletedTask;

    /// <summary>Starts scoring; batches of <paramref name="batchSize"/> samples come out in input order.</summary>
    public ChannelReader<ScoredBatch> Start(IEnumerable<SftSample> samples, int batchSize, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        // Whole batches per window, so that no batch straddles two windows.
        var windowSize = (options.WindowSize + batchSize - 1) / batchSize * batchSize;
        var output = Channel.CreateBounded<ScoredBatch>(new BoundedChannelOptions(options.WindowsAhead * windowSize / batchSize) { SingleWriter = true });
        if (!Finished.IsCompleted)
            throw new InvalidOperationException("this pipeline is already running");
        Finished = Task.Run(() => RunAsync(samples, windowSize, batchSize, output.Writer, cancellation), CancellationToken.None);
        return output.Reader;
    }

    private async Task RunAsync(IEnumerable<SftSample> samples, int windowSize, int batchSize, ChannelWriter<ScoredBatch> output, CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        Exception? failure = null;
        Func<Task> Guarded(Func<CancellationToken, Task> stage) => async () =>
        {
            try { await stage(stop.Token); }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                await stop.CancelAsync();
            }
            catch (OperationCanceledException) { }
        };

        var bounded = new BoundedChannelOptions(Math.Max(1, options.WindowsAhead)) { SingleReader = true, SingleWriter = true };
        var mergerWindows = Channel.CreateBounded<List<SftSample>>(new BoundedChannelOptions(options.WindowsAhead * 2 + 2) { SingleReader = true, SingleWriter = true });
        var windows = models.Select(_ => Channel.CreateBounded<List<SftSample>>(bounded)).ToArray();
        var tokenized = models.Select(_ => Channel.CreateBounded<TokenizedSample[]>(bounded)).ToArray();
        var results = models.Select(_ => Channel.CreateBounded<ModelScore[]>(bounded)).ToArray();

        var stages = new List<Func<Task>>
        {
            Guarded(token => ProduceWindows(samples, windowSize, [mergerWindows.Writer, .. windows.Select(w => w.Writer)], token)),
            Guarded(token => Merge(mergerWindows.Reader, [.. results.Select(r => r.Reader)], batchSize, output, token)),
        };
        for (var j = 0; j < models.Count; j++)
        {
            var (model, statistics) = (models[j], Statistics[j]);
            var (windowIn, tokenizedChannel, resultOut) = (windows[j], tokenized[j], results[j]);
            stages.Add(Guarded(token => Tokenize(model, statistics, windowIn.Reader, tokenizedChannel.Writer, token)));
            stages.Add(Guarded(token => Infer(model, statistics, tokenizedChannel.Reader, resultOut.Writer, token)));
        }
        await Task.WhenAll(stages.Select(Task.Run));

        if (failure is not null)
            output.TryComplete(failure);
        else if (cancellation.IsCancellationRequested)
            output.TryComplete(new OperationCanceledException(cancellation));
        else
            output.TryComplete();
    }

    private static async Task ProduceWindows(IEnumerable<SftSample> samples, int windowSize, ChannelWriter<List<SftSample>>[] targets, CancellationToken token)
    {
        var window = new List<SftSample>(windowSize);
        foreach (var sample in samples)
        {
            window.Add(sample);
            if (window.Count < windowSize)
                continue;
            foreach (var target in targets)
                await target.WriteAsync(window, token);
            window = new List<SftSample>(windowSize);
        }
        if (window.Count > 0)
            foreach (var target in targets)
                await target.WriteAsync(window, token);
        foreach (var target in targets)
            target.Complete();
    }

    private async Task Tokenize(AlignedScorerModel model, ModelStatistics statistics, ChannelReader<List<SftSample>> input,
        ChannelWriter<TokenizedSample[]> output, CancellationToken token)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.TokenizerThreads, CancellationToken = token };
        await foreach (var window in input.ReadAllAsync(token))
        {
            var clock = Stopwatch.StartNew();
            var tokenized = new TokenizedSample[window.Count];
            try
            {
                Parallel.For(0, window.Count, parallel, i => tokenized[i] = model.Tokenize(window[i]));
            }
            catch (AggregateException e)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            statistics.TokenizeTime += clock.Elapsed;
            await output.WriteAsync(tokenized, token);
        }
        output.Complete();
    }

    private async Task Infer(AlignedScorerModel model, ModelStatistics statistics, ChannelReader<TokenizedSample[]> input,
        ChannelWriter<ModelScore[]> output, CancellationToken token)
    {
        await foreach (var window in input.ReadAllAsync(token))
            await output.WriteAsync(WindowScorer.Score(window, model, statistics, token), token);
        output.Complete();
    }

    private async Task Merge(ChannelReader<List<SftSample>> windows, ChannelReader<ModelScore[]>[] results, int batchSize,
        ChannelWriter<ScoredBatch> output, CancellationToken token)
    {
        var weights = models.Select(m => m.Weight).ToArray();
        await foreach (var window in windows.ReadAllAsync(token))
        {
            var perModel = new ModelScore[results.Length][];
            for (var j = 0; j < results.Length; j++)
                perModel[j] = await results[j].ReadAsync(token);
            for (var start = 0; start < window.Count; start += batchSize)
            {
                var chunk = window.GetRange(start, Math.Min(batchSize, window.Count - start));
                var scores = chunk.Select((sample, k) => PreferenceScore.Combine(
                    sample.Id, [.. perModel.Select(m => m[start + k])], weights)).ToList();
                await output.WriteAsync(new ScoredBatch(chunk, scores), token);
            }
        }
    }
}
