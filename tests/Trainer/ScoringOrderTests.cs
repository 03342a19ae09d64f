using System.Threading.Channels;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Trainer;

/// <summary>The online scorer delivers in the order the trainer asks for (<see cref="PoftTrainer.ScoringOrder"/>);
/// a scorer that delivers in any other order stops training with an error instead of being read ahead.</summary>
public sealed class ScoringOrderTests : IDisposable
{
    private const int Vocab = 97;
    private readonly TempDirectory _temp = new();
    private readonly List<SftSample> _train = PatternData.Make(20, seed: 1, "t");
    private static readonly TrainingOptions Options = new() { Objective = ObjectiveKind.Poft, BatchSize = 4, Epochs = 2, Seed = 7 };

    public void Dispose() => _temp.Dispose();

    /// <summary>A scorer stand-in: every sample's score, in the given order, in batches of 3.</summary>
    private static ChannelReader<ScoredBatch> Scorer(IEnumerable<SftSample> order)
    {
        var channel = Channel.CreateUnbounded<ScoredBatch>();
        foreach (var chunk in order.Chunk(3))
            channel.Writer.TryWrite(new ScoredBatch(chunk, [.. chunk.Select(s => new PreferenceScore(s.Id, [new ModelScore(-2.0 * s.Id.Length, s.Id.Length)], -2.0))]));
        channel.Writer.Complete();
        return channel.Reader;
    }

    private Task<TrainingSummary> Train(ReferenceScores scores)
    {
        var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 3);
        var trainer = new PoftTrainer(model, Placement.Cpu, Options, new TrainingData(_train, [], CharTokenization.For(Vocab)),
            scores, evalScores: null, ["aligned"], _temp.Sub("run"), tokenizerDirectory: null);
        return trainer.RunAsync(resumeDirectory: null, progress: null, CancellationToken.None).ContinueWith(t => { model.Dispose(); return t; }).Unwrap();
    }

    [Fact]
    public async Task A_scorer_in_the_trainers_order_trains_every_step()
    {
        var order = PoftTrainer.ScoringOrder(new TrainingData(_train, [], CharTokenization.For(Vocab)), Options, new HashSet<string>());
        Assert.Equal(_train.Select(s => s.Id).Order(), order.Select(s => s.Id).Order());
        var summary = await Train(new ReferenceScores([], Scorer(order)));
        Assert.Equal(Options.TotalSteps(_train.Count), summary.Steps);
    }

    [Fact]
    public async Task A_scorer_in_another_order_is_an_error_naming_the_sample_the_trainer_needs()
    {
        var order = PoftTrainer.ScoringOrder(new TrainingData(_train, [], CharTokenization.For(Vocab)), Options, new HashSet<string>());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Train(new ReferenceScores([], Scorer(order.Reverse()))));
        Assert.Contains("another order", error.Message);
        Assert.Contains($"'{order[0].Id}'", error.Message);
    }

    [Fact]
    public void Samples_already_scored_are_left_out_and_the_rest_keep_the_trainers_order()
    {
        var all = PoftTrainer.ScoringOrder(new TrainingData(_train, [], CharTokenization.For(Vocab)), Options, new HashSet<string>());
        var scored = all.Take(5).Select(s => s.Id).Concat([all[9].Id]).ToHashSet();
        Assert.Equal(all.Where(s => !scored.Contains(s.Id)), PoftTrainer.ScoringOrder(new TrainingData(_train, [], CharTokenization.For(Vocab)), Options, scored));
    }

    [Fact]
    public async Task Waiting_for_all_scores_reads_them_in_whatever_order_they_come()
    {
        var scores = new ReferenceScores([], Scorer(Enumerable.Reverse(_train)));
        await scores.WaitForAll(_train, CancellationToken.None);
        Assert.Equal(_train.Count, scores.Known.Count);
    }
}
