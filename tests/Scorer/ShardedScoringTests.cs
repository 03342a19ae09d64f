using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Scorer;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Scorer;

/// <summary>Sharded scoring: <c>score</c> in N processes, each taking its shard from an Indexed Job's
/// environment, then <c>merge-scores</c> or <c>train --scores</c> on the shards.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed class ShardedScoringTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private const int Samples = 24;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Data(string name = "data.jsonl", int seed = 31)
    {
        var path = _temp.File(name);
        if (!File.Exists(path))
            SftDataWriter.WriteJsonLines(path, AlignedModelsFixture.MultiTurn(Samples, seed));
        return path;
    }

    private string Manifest(string file, double qwenWeight = 2, string llamaOnnx = "llama-onnx/model.onnx")
    {
        var llama = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3);
        llama["onnx"] = llamaOnnx;
        return models.Manifest(file, llama, AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl, weight: qwenWeight));
    }

    /// <summary>Shards 0..count−1 of the data scored in this process into <c>folder/scores-i.jsonl</c>.</summary>
    private async Task<string> Shards(string folder, int count, string? manifest = null)
    {
        var directory = _temp.Sub(folder);
        manifest ??= Manifest("shards.json");
        for (var i = 0; i < count; i++)
            await ScoringRuns.Score(manifest, Data(), Path.Combine(directory, $"scores-{i}.jsonl"), shard: new SampleShard(i, count));
        return directory;
    }

    [Fact]
    public async Task Shards_scored_by_concurrent_job_processes_merge_into_what_one_unsharded_run_writes()
    {
        var (manifest, data, directory) = (Manifest("job.json"), Data(), _temp.Sub("job"));
        var pods = Enumerable.Range(0, 3).Select(index => PoftProcess.Run(
            ["score", "--manifest", manifest, "--data", data, "--out", Path.Combine(directory, $"scores-{index}.msgpack"), "--threads", "1", "--window", "8"],
            new Dictionary<string, string?> { [JobShard.IndexVariable] = $"{index}", [JobShard.CountVariable] = "3" }));
        foreach (var pod in await Task.WhenAll(pods))
            Assert.True(pod.ExitCode == 0, pod.Error);
        var merged = _temp.File("merged.jsonl");
        var merge = await PoftProcess.Run(["merge-scores", "--data", data, "--out", merged, directory],
            new Dictionary<string, string?> { [JobShard.IndexVariable] = null, [JobShard.CountVariable] = null });
        Assert.True(merge.ExitCode == 0, merge.Error);
        var unsharded = _temp.File("unsharded.jsonl");
        await ScoringRuns.Score(manifest, data, unsharded);

        for (var i = 0; i < 3; i++)
        {
            var shard = ScoreProvenance.Read(Path.Combine(directory, $"scores-{i}.msgpack.provenance.json")).Data;
            Assert.Equal(new SampleShard(i, 3), shard.Shard);
            Assert.InRange(shard.ShardSamples, 1, Samples - 2);
            Assert.Equal(shard.ShardSamples, ScoreFile.Read(Path.Combine(directory, $"scores-{i}.msgpack")).Count);
        }
        var (expected, actual) = (ScoreFile.Read(unsharded), ScoreFile.Read(merged));
        Assert.Equal(AlignedModelsFixture.MultiTurn(Samples, seed: 31).Select(s => s.Id), actual.Select(r => r.Id));
        for (var i = 0; i < Samples; i++)
        {
            Assert.Equal(expected[i].Reference, actual[i].Reference, 1e-5);
            Assert.Equal(expected[i].Models.Select(m => (m.Name, m.Count)), actual[i].Models.Select(m => (m.Name, m.Count)));
            Assert.All(expected[i].Models.Zip(actual[i].Models), p => Assert.Equal(p.First.Sum, p.Second.Sum, 1e-3));
        }
        var provenance = JsonNode.Parse(File.ReadAllText(merged + ".provenance.json"))!;
        var alone = JsonNode.Parse(File.ReadAllText(unsharded + ".provenance.json"))!;
        Assert.Equal(["scores-0.msgpack", "scores-1.msgpack", "scores-2.msgpack"], provenance["merged_from"]!.AsArray().Select(n => n!.GetValue<string>()));
        provenance.AsObject().Remove("merged_from");
        Assert.True(JsonNode.DeepEquals(alone, provenance), $"{provenance}\n differs from the unsharded run's\n{alone}");
    }

    [Fact]
    public async Task A_pod_with_half_a_job_setting_scores_nothing_and_names_the_variable()
    {
        var output = _temp.File("half.msgpack");
        var pod = await PoftProcess.Run(["score", "--manifest", Manifest("half.json"), "--data", Data(), "--out", output],
            new Dictionary<string, string?> { [JobShard.IndexVariable] = "1", [JobShard.CountVariable] = null });

        Assert.Equal(1, pod.ExitCode);
        Assert.Contains($"error: {JobShard.IndexVariable} is set (1) but {JobShard.CountVariable} is not", pod.Error);
        Assert.False(File.Exists(output) || File.Exists(output + ".provenance.json"));
    }

    [Theory]
    [InlineData("weight", "model 'qwen': field 'weight' is 3, but 2 in ")]
    [InlineData("onnx", "model 'llama': field 'onnx' (the SHA-256 of the file's content) is ")]
    public async Task Shards_scored_with_another_manifest_are_refused_naming_the_model_and_field(string changed, string message)
    {
        var directory = await Shards($"changed-{changed}", 2);
        var other = changed == "weight" ? Manifest("heavier.json", qwenWeight: 3) : Manifest("re-exported.json", llamaOnnx: "llama-b-onnx/model.onnx");
        File.Delete(Path.Combine(directory, "scores-1.jsonl"));
        File.Delete(Path.Combine(directory, "scores-1.jsonl.provenance.json"));
        await ScoringRuns.Score(other, Data(), Path.Combine(directory, "scores-1.jsonl"), shard: new SampleShard(1, 2));
        var output = _temp.File($"changed-{changed}.jsonl");

        var error = Assert.Throws<InvalidDataException>(() => ScoreMerge.Run([directory], Data(), output));
        Assert.StartsWith($"{Path.Combine(directory, "scores-1.jsonl.provenance.json")}: {message}", error.Message);
        Assert.Contains($" in {Path.Combine(directory, "scores-0.jsonl.provenance.json")}", error.Message);
        Assert.False(File.Exists(output) || File.Exists(output + ".provenance.json"));
    }

    [Fact]
    public async Task A_missing_shard_is_refused_naming_it()
    {
        var directory = await Shards("missing", 3);
        File.Delete(Path.Combine(directory, "scores-1.jsonl"));

        var error = Assert.Throws<InvalidDataException>(() => ScoreMerge.Run([directory], Data(), _temp.File("missing.jsonl")));
        Assert.StartsWith("shard 1/3 of 3 missing: the files given are 0/3 (", error.Message);
    }

    [Fact]
    public async Task A_shard_given_twice_is_refused_naming_both_files()
    {
        var directory = await Shards("twice", 3);
        File.Copy(Path.Combine(directory, "scores-2.jsonl"), Path.Combine(directory, "scores-2-retry.jsonl"));
        File.Copy(Path.Combine(directory, "scores-2.jsonl.provenance.json"), Path.Combine(directory, "scores-2-retry.jsonl.provenance.json"));

        var error = Assert.Throws<InvalidDataException>(() => ScoreMerge.Run([directory], Data(), _temp.File("twice.jsonl")));
        Assert.Equal($"shard 2/3 is there twice: {Path.Combine(directory, "scores-2-retry.jsonl")} and {Path.Combine(directory, "scores-2.jsonl")}", error.Message);
    }

    [Fact]
    public async Task A_sample_missing_from_its_shard_is_named_and_one_recorded_twice_too()
    {
        var directory = await Shards("gaps", 2);
        var file = Path.Combine(directory, "scores-0.jsonl");
        var lines = File.ReadAllLines(file);
        var last = JsonNode.Parse(lines[^1])!["id"]!.GetValue<string>();
        File.WriteAllLines(file, lines[..^1]);

        var error = Assert.Throws<InvalidDataException>(() => ScoreMerge.Run([directory], Data(), _temp.File("gap.jsonl")));
        Assert.StartsWith($"{file}: lacks 1 of the samples of shard 0/2 in {Data()}: '{last}'; finish it with `score --resume --shard 0/2`", error.Message);
        // Without the data file (train --scores), the shard's count in its provenance finds the gap.
        error = Assert.Throws<InvalidDataException>(() => ScoreShardSet.ReadFileOrShards(directory));
        Assert.StartsWith($"{file}: holds {lines.Length - 1} records, but shard 0/2 of data.jsonl has {lines.Length} samples (field 'shard.samples' of ", error.Message);

        File.WriteAllLines(file, [.. lines, lines[0]]);
        var first = JsonNode.Parse(lines[0])!["id"]!.GetValue<string>();
        error = Assert.Throws<InvalidDataException>(() => ScoreMerge.Run([directory], Data(), _temp.File("duplicate.jsonl")));
        Assert.Equal($"sample '{first}' appears twice: twice in {file}", error.Message);
    }

    [Fact]
    public async Task Shards_of_another_data_file_are_refused_and_an_existing_output_is_never_replaced()
    {
        var directory = await Shards("data", 2);
        var other = Data("other.jsonl", seed: 32);
        var error = Assert.Throws<InvalidDataException>(() => ScoreMerge.Run([directory], other, _temp.File("other-merged.jsonl")));
        Assert.StartsWith($"{other}: its SHA-256 is ", error.Message);
        Assert.Contains("(data.jsonl; field 'data' of ", error.Message);

        var output = _temp.File("taken.msgpack");
        File.WriteAllText(output, "mine");
        Assert.Contains("exists", Assert.Throws<IOException>(() => ScoreMerge.Run([directory], Data(), output)).Message);
        Assert.Equal("mine", File.ReadAllText(output));
        Assert.False(File.Exists(output + ".provenance.json"));
        ScoreMerge.Run([directory], Data(), _temp.File("written.msgpack"));
        Assert.Contains("exists", Assert.Throws<IOException>(() => ScoreMerge.Run([directory], Data(), _temp.File("written.msgpack"))).Message);
    }

    [Fact]
    public async Task Shards_of_a_preference_file_merge_into_its_pairs_chosen_then_rejected_records()
    {
        var data = _temp.File("pairs.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 6).Select(i => $$"""{"id": "p{{i}}", "prompt": "Count to {{i}}.", "chosen": "{{string.Join(" ", Enumerable.Range(1, i + 1))}}", "rejected": "No."}"""));
        var directory = _temp.Sub("pair-shards");
        for (var i = 0; i < 2; i++)
            await ScoringRuns.Score(Manifest("pairs.json"), data, Path.Combine(directory, $"scores-{i}.jsonl"), shard: new SampleShard(i, 2));

        var merged = ScoreMerge.Run([directory], data, _temp.File("pairs-merged.jsonl"));
        Assert.Equal(Enumerable.Range(0, 6).SelectMany(i => new[] { $"p{i}/chosen", $"p{i}/rejected" }), merged.Records.Select(r => r.Id));
    }

    [Fact]
    public async Task Train_reads_a_folder_of_shards_as_the_file_merged_from_them()
    {
        var directory = await Shards("train", 3);
        var merged = _temp.File("train-merged.msgpack");
        ScoreMerge.Run([directory], Data(), merged);

        async Task<string> Train(string scores, string name)
        {
            var config = new TrainConfig
            {
                Model = Path.Combine(models.Root, "llama-b"),
                Template = new ChatTemplateSpec(ChatTemplateSpec.Llama3),
                MaxLength = 256,
                TrainData = Data(),
                Scores = scores,
                Output = _temp.Sub(name),
                Training = new TrainingOptions { BatchSize = 4, MaxSteps = 2, Seed = 5 },
            };
            var summary = await OnlineTraining.RunAsync(config, resume: null, progress: null, CancellationToken.None, note: _ => { });
            var saved = ScoreFile.Read(Path.Combine(summary.CheckpointDirectory, TrainerState.ScoresFile));
            Assert.Equal(ScoreFile.Read(merged).Select(r => (r.Id, r.Reference)).Order(), saved.Select(r => (r.Id, r.Reference)).Order());
            return string.Join("\n", File.ReadAllLines(Path.Combine(config.Output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["loss"]?.ToJsonString()));
        }

        Assert.Equal(await Train(merged, "from-file"), await Train(directory, "from-folder"));
    }

    [Fact]
    public async Task A_run_records_a_folder_of_shards_by_its_files_content_not_by_files_still_being_written()
    {
        var directory = await Shards("fingerprint", 2);
        var scores = TrainOptions.All.Single(o => o.Field == "scores");
        var config = new TrainConfig { Scores = directory };
        // The fingerprint is the JSON value trainer_state.json records: compared as written.
        string Fingerprint() => scores.Fingerprint(config)!.ToJsonString();
        var before = Fingerprint();
        File.WriteAllText(Path.Combine(directory, ".scores-0.jsonl.0123.tmp"), "a write in progress");
        Assert.Equal(before, Fingerprint());

        var file = Path.Combine(directory, "scores-1.jsonl");
        File.WriteAllLines(file, File.ReadAllLines(file).Reverse());
        Assert.NotEqual(before, Fingerprint());
    }
}
