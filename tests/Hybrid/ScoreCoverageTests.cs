using System.Text.Json.Nodes;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Shared;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Hybrid;

/// <summary>A score file that does not score the run's training or held-out data is refused before the first step,
/// naming the data field, both files, how many are missing and the first ids (hybrid/ScoreCoverage.cs). Before, a
/// held-out DPO pair was found missing at the first evaluation, after training steps; a training sample when its turn
/// came; and a held-out SFT sample was silently left out of the held-out τ.</summary>
public sealed class ScoreCoverageTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Output => Path.Combine(_temp.Path, "run");

    private string Config(Action<JsonObject> edit)
    {
        var config = new JsonObject
        {
            ["model"] = Path.Combine(models.Root, "llama-b"),
            ["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Llama3 },
            ["max_length"] = 256,
            ["output"] = Output,
            ["training"] = new JsonObject { ["objective"] = "poft", ["batch_size"] = 2, ["max_steps"] = 1, ["checkpoint_every"] = 0 },
        };
        edit(config);
        var path = _temp.File($"train-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    /// <summary>SFT samples with ids <paramref name="prefix"/>0…, written as JSONL.</summary>
    private string Samples(string name, string prefix, int count, int seed)
    {
        var path = _temp.File(name);
        SftDataWriter.WriteJsonLines(path, AlignedModelsFixture.MultiTurn(count, seed).Select((s, i) => s with { Id = $"{prefix}{i}" }));
        return path;
    }

    /// <summary>A score file of one model, as a user might write by hand (no provenance), scoring these ids.</summary>
    private string Scores(string name, IEnumerable<string> ids)
    {
        var path = _temp.File(name);
        using (var writer = ScoreFileWriter.Open(path, resume: false, ["aligned"]))
            foreach (var id in ids)
                writer.Append(ScoreRecord.From(PreferenceScore.Combine(id, [new ModelScore(-2.0, 4)], [1]), ["aligned"]));
        return path;
    }

    private static Task<TrainingSummary> Run(string config, List<string>? notes = null) =>
        OnlineTraining.RunAsync(TrainConfig.Load(config), resume: null, progress: null, CancellationToken.None, note: n => notes?.Add(n));

    private async Task<string> Refused(string config)
    {
        var error = await Assert.ThrowsAsync<PoftUserException>(() => Run(config));
        Assert.False(File.Exists(Path.Combine(Output, MetricsLog.FileName)), "refused before any step");
        Assert.False(Directory.Exists(Path.Combine(Output, PoftTrainer.CheckpointsFolder)));
        return error.Message;
    }

    [Fact]
    public async Task Held_out_samples_some_of_which_the_score_file_lacks_are_refused_before_training()
    {
        var (train, eval) = (Samples("train.jsonl", "t", 4, seed: 1), Samples("eval.jsonl", "e", 5, seed: 2));
        var scores = Scores("scores.jsonl", ["t0", "t1", "t2", "t3", "e1"]);
        var config = Config(c => (c["train_data"], c["eval_data"], c["scores"]) = (train, eval, scores));

        Assert.Equal($"{config}: field 'eval_data': 4 of the 5 samples of {eval} have no score in {scores} (field 'scores'; first: 'e0', 'e2', 'e3', …): " +
            "score this data with the same models, or give the score file that did", await Refused(config));
    }

    [Fact]
    public async Task Training_samples_the_score_file_lacks_are_refused_before_training()
    {
        var train = Samples("train.jsonl", "t", 4, seed: 1);
        var scores = Scores("scores.jsonl", ["t0", "t2"]);
        var config = Config(c => (c["train_data"], c["scores"]) = (train, scores));

        Assert.Equal($"{config}: field 'train_data': 2 of the 4 samples of {train} have no score in {scores} (field 'scores'; first: 't1', 't3'): " +
            "score this data with the same models, or give the score file that did", await Refused(config));
    }

    [Fact]
    public async Task A_score_file_of_the_training_data_alone_trains_without_a_held_out_tau_and_says_so()
    {
        var (train, eval) = (Samples("train.jsonl", "t", 4, seed: 1), Samples("eval.jsonl", "e", 2, seed: 2));
        var scores = Scores("scores.jsonl", ["t0", "t1", "t2", "t3"]);
        var config = Config(c => (c["train_data"], c["eval_data"], c["scores"]) = (train, eval, scores));
        var notes = new List<string>();

        var summary = await Run(config, notes);

        Assert.Equal(1, summary.Steps);
        Assert.Contains($"{config}: field 'eval_data': {scores} scores none of the 2 samples of {eval}, so the held-out τ is not reported", notes);
    }

    [Fact]
    public async Task Dpo_held_out_pairs_the_reference_score_file_lacks_are_refused_before_training()
    {
        string Pairs(string name, string prefix, int count)
        {
            var path = _temp.File(name);
            File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => new JsonObject
            {
                ["id"] = $"{prefix}{i}", ["prompt"] = $"Say {i}.", ["chosen"] = $"{i}.", ["rejected"] = $"Not {i}.",
            }.ToJsonString()));
            return path;
        }
        var (train, eval) = (Pairs("pairs.jsonl", "p", 2), Pairs("eval-pairs.jsonl", "q", 3));
        string Completions(params string[] pairs) => string.Join(",", pairs.SelectMany(p => new[] { $"{p}/chosen", $"{p}/rejected" }));
        var refScores = Scores("ref.jsonl", Completions("p0", "p1").Split(','));
        var evalRefScores = Scores("eval-ref.jsonl", [.. Completions("q0").Split(','), "q1/chosen"]);
        var config = Config(c =>
        {
            (c["train_data"], c["eval_preference_data"], c["ref_scores"], c["eval_ref_scores"]) = (train, eval, refScores, evalRefScores);
            c["training"]!["objective"] = "dpo";
        });

        Assert.Equal($"{config}: field 'eval_preference_data': 3 of the 6 samples of {eval} have no score in {evalRefScores} (field 'eval_ref_scores'; " +
            "first: 'q1/rejected', 'q2/chosen', 'q2/rejected'): score this data with the same models, or give the score file that did", await Refused(config));
    }
}
