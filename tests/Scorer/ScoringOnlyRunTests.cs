using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PoFT.Exporter;
using PoFT.Scorer;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

/// <summary>The <c>score</c> verb's library side end to end: data file → manifest's ONNX models → score file.</summary>
public sealed class ScoringOnlyRunTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Data(int count, int seed)
    {
        var path = _temp.File($"data-{count}-{seed}.jsonl");
        SftDataWriter.WriteJsonLines(path, AlignedModelsFixture.MultiTurn(count, seed));
        return path;
    }

    private static Task Score(string manifest, string data, string output, bool resume = false, SampleShard? shard = null) =>
        ScoringRuns.Score(manifest, data, output, resume, shard);

    [Fact]
    public async Task Weights_of_1e308_score_as_equal_weights_do()
    {
        var data = Data(10, seed: 11);
        var huge = models.Manifest("huge.json",
            AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, weight: 1e308),
            AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl, weight: 1e308));
        await Score(huge, data, _temp.File("huge.jsonl"));

        var records = ScoreFile.Read(_temp.File("huge.jsonl"));
        Assert.Equal(10, records.Count);
        Assert.All(records, r => Assert.Equal((r.Models[0].Mean + r.Models[1].Mean) / 2, r.Reference, 12));
    }

    [Fact]
    public async Task A_preference_file_scores_each_pairs_chosen_and_rejected_completion_only()
    {
        var data = _temp.File("pairs.jsonl");
        File.WriteAllLines(data,
        [
            """{"id": "p1", "prompt": "Name a colour.", "chosen": "Blue.", "rejected": "Seven."}""",
            """{"prompt": "And the Sun?", "prompt_id": "p2", "chosen": [{"role": "user", "content": "How far is the Moon?"}, {"role": "assistant", "content": "About 384,400 km, on average."}, {"role": "user", "content": "And the Sun?"}, {"role": "assistant", "content": "150 million km."}], "rejected": [{"role": "user", "content": "How far is the Moon?"}, {"role": "assistant", "content": "About 384,400 km, on average."}, {"role": "user", "content": "And the Sun?"}, {"role": "assistant", "content": "Farther."}], "score_chosen": 9.0, "score_rejected": 2.0}""",
        ]);
        var output = _temp.File("pairs-scores.jsonl");
        await Score(TwoModels("pairs.json"), data, output);

        var records = ScoreFile.Read(output).ToDictionary(r => r.Id);
        Assert.Equal(["p1/chosen", "p1/rejected", "p2/chosen", "p2/rejected"], records.Keys.Order(StringComparer.Ordinal));
        // Only the completion is scored: the earlier assistant turn of p2's prompt is context.
        var pair = PreferenceDataSet.Read(data).Pairs[1];
        var llama = new ChatTokenizer(PoFT.Tests.Tokenizers.RealTokenizers.Llama3, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 256, TruncationPolicy.Error);
        Assert.Equal(llama.Tokenize(pair.Chosen).ResponseTokenCount, records["p2/chosen"].Models[0].Count);
        Assert.True(records["p2/chosen"].Models[0].Count < llama.Tokenize(pair.Chosen with { ScoredFrom = 0 }).ResponseTokenCount);
        Assert.Equal(llama.Tokenize(pair.Rejected).ResponseTokenCount, records["p2/rejected"].Models[0].Count);

        var provenance = JsonNode.Parse(File.ReadAllText(output + ".provenance.json"))!["data"]!;
        Assert.Equal("pairs.jsonl", provenance["file"]!.GetValue<string>());
        Assert.Equal(4, provenance["samples"]!.GetValue<int>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), provenance["sha256"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("failed.jsonl")]
    [InlineData("failed.msgpack")]
    public async Task A_run_that_fails_before_its_first_record_leaves_no_file(string name)
    {
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, maxLength: 24);
        entry["truncation"] = "error"; // the default, truncate-prompt, would score these samples' ends
        var manifest = models.Manifest("short-run.json", entry);
        var output = _temp.File(name);
        await Assert.ThrowsAsync<InvalidSampleException>(() => Score(manifest, Data(6, seed: 4), output));
        Assert.Empty(Directory.GetFiles(_temp.Path, "failed*"));
    }

    private string TwoModels(string file, Action<JsonObject, JsonObject>? edit = null)
    {
        var (llama, qwen) = (AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3), AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl, weight: 2));
        edit?.Invoke(llama, qwen);
        return models.Manifest(file, llama, qwen);
    }

    [Fact]
    public async Task A_new_file_records_what_scored_it_beside_it()
    {
        var output = _temp.File("recorded.msgpack");
        var data = Data(4, seed: 20);
        await Score(TwoModels("recorded.json"), data, output);

        var provenance = JsonNode.Parse(File.ReadAllText(output + ".provenance.json"))!;
        var llama = provenance["models"]![0]!;
        Assert.Equal(["llama", "qwen"], provenance["models"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(models.Root, "llama-onnx", "model.onnx")))),
            llama["onnx_sha256"]!.GetValue<string>());
        Assert.Equal(256, llama["max_length"]!.GetValue<int>());
        Assert.Equal(2.0, provenance["models"]![1]!["weight"]!.GetValue<double>());
        Assert.Equal("llama3", llama["template"]!["family"]!.GetValue<string>());
        Assert.Equal("llama-onnx/tokenizer.json", llama["tokenizer"]!["path"]!.GetValue<string>());
        Assert.Equal("data-4-20.jsonl", provenance["data"]!["file"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data))), provenance["data"]!["sha256"]!.GetValue<string>());
        Assert.Equal(4, provenance["data"]!["samples"]!.GetValue<int>());
        Assert.Equal("""{"index":0,"count":1,"samples":4}""", provenance["shard"]!.ToJsonString());
    }

    [Fact]
    public async Task Resuming_with_the_same_models_and_settings_adds_only_the_missing_records()
    {
        var manifest = TwoModels("same.json");
        var data = Data(10, seed: 21);
        var output = _temp.File("same.jsonl");
        await Score(manifest, data, output);
        // What a run stopped after six records leaves: those six and the start of the seventh.
        var lines = File.ReadAllLines(output);
        var kept = string.Concat(lines.Take(6).Select(l => l + "\n"));
        File.WriteAllText(output, kept + lines[6][..10]);
        await Score(manifest, data, output, resume: true);

        Assert.Equal(AlignedModelsFixture.MultiTurn(10, seed: 21).Select(s => s.Id), ScoreFile.Read(output).Select(r => r.Id));
        Assert.StartsWith(kept, File.ReadAllText(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resuming_with_another_data_file_is_refused()
    {
        var manifest = TwoModels("data.json");
        var output = _temp.File("data.msgpack");
        await Score(manifest, Data(6, seed: 27), output);
        var before = File.ReadAllBytes(output);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(manifest, Data(10, seed: 27), output, resume: true));
        Assert.Contains($"{output}: cannot resume with {manifest}: field 'data' (the SHA-256 of the data file's content) was ", error.Message);
        Assert.Contains("(data-6-27.jsonl) for its records, and is ", error.Message);
        Assert.Equal(before, File.ReadAllBytes(output));
    }

    [Fact]
    public async Task Resuming_as_another_shard_is_refused()
    {
        var manifest = TwoModels("shard.json");
        var data = Data(12, seed: 28);
        var output = _temp.File("shard.jsonl");
        await Score(manifest, data, output, shard: new SampleShard(0, 2));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(manifest, data, output, resume: true, shard: new SampleShard(1, 2)));
        Assert.Contains("field 'shard' was 0/2 for its records, and is 1/2 now", error.Message);
    }

    [Theory]
    [InlineData("qwen", "weight", "3")]
    [InlineData("llama", "max_length", "200")]
    [InlineData("llama", "truncation", "\"error\"")]
    [InlineData("llama", "template", """{"family": "llama3", "add_bos": true}""")]
    [InlineData("qwen", "tokenizer", """{"kind": "hf", "path": "qwen/tokenizer.json"}""")]
    public async Task Resuming_after_any_setting_changed_is_refused_naming_the_model_and_field(string model, string field, string value)
    {
        var data = Data(6, seed: 22);
        var output = _temp.File($"changed-{field}.msgpack");
        await Score(TwoModels($"before-{field}.json"), data, output);
        var before = File.ReadAllBytes(output);
        var changed = TwoModels($"after-{field}.json", (llama, qwen) => (model == "llama" ? llama : qwen)[field] = JsonNode.Parse(value));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(changed, data, output, resume: true));
        Assert.Contains($"{output}: cannot resume with {changed}: model '{model}': field '{field}' was ", error.Message);
        Assert.Equal(before, File.ReadAllBytes(output));
    }

    [Fact]
    public async Task Resuming_after_the_onnx_file_changed_under_the_same_path_is_refused()
    {
        var store = CopyOf("llama-onnx", "store-llama");
        var manifest = models.Manifest("store.json", StoreEntry(store));
        var data = Data(4, seed: 23);
        var output = _temp.File("store.jsonl");
        await Score(manifest, data, output);
        File.Copy(Path.Combine(models.Root, "llama-b-onnx", "model.onnx"), Path.Combine(store, "model.onnx"), overwrite: true);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(manifest, data, output, resume: true));
        Assert.Contains("model 'llama': field 'onnx' (the SHA-256 of the file's content) was ", error.Message);
    }

    [Fact]
    public async Task Resuming_after_the_external_weights_changed_is_refused()
    {
        var external = new ExportOptions { ExternalDataThresholdBytes = 0 };
        var store = _temp.Sub("external-a");
        LlamaOnnxExporter.Export(Path.Combine(models.Root, "llama"), store, external);
        LlamaOnnxExporter.Export(Path.Combine(models.Root, "llama-b"), _temp.Sub("external-b"), external);
        Assert.True(File.Exists(Path.Combine(store, ScoringGraph.ExternalDataFile)));
        var manifest = models.Manifest("external.json", StoreEntry(store));
        var data = Data(4, seed: 24);
        var output = _temp.File("external.msgpack");
        await Score(manifest, data, output);
        File.Copy(_temp.File(Path.Combine("external-b", ScoringGraph.ExternalDataFile)), Path.Combine(store, ScoringGraph.ExternalDataFile), overwrite: true);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(manifest, data, output, resume: true));
        Assert.Contains($"model 'llama': field 'onnx' (the SHA-256 of its external {ScoringGraph.ExternalDataFile}", error.Message);
    }

    [Fact]
    public async Task A_score_file_without_provenance_cannot_be_resumed()
    {
        var output = _temp.File("older.msgpack");
        var samples = AlignedModelsFixture.MultiTurn(3, seed: 25);
        using (var writer = ScoreFileWriter.Open(output, resume: false, ["llama", "qwen"]))
            writer.Append(ScoreRecord.From(PreferenceScore.Combine(samples[0].Id, [new ModelScore(-2, 2), new ModelScore(-3, 3)], [1, 2]), ["llama", "qwen"]));
        var before = File.ReadAllBytes(output);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Score(TwoModels("older.json"), Data(3, seed: 25), output, resume: true));
        Assert.Contains($"{output}: cannot resume: it has no provenance file {output}.provenance.json", error.Message);
        Assert.Equal(before, File.ReadAllBytes(output));
    }

    [Fact]
    public async Task A_new_run_never_replaces_a_provenance_file()
    {
        var output = _temp.File("orphan.jsonl");
        File.WriteAllText(output + ".provenance.json", "{}");
        var error = await Assert.ThrowsAsync<IOException>(() => Score(TwoModels("orphan.json"), Data(3, seed: 26), output));
        Assert.Contains("--resume", error.Message);
        Assert.Equal("{}", File.ReadAllText(output + ".provenance.json"));
        Assert.False(File.Exists(output));
    }

    /// <summary>A model directory copied into a store outside the manifest's folder, as users keep models.</summary>
    private string CopyOf(string modelDirectory, string name)
    {
        var copy = _temp.Sub(name);
        foreach (var file in Directory.GetFiles(Path.Combine(models.Root, modelDirectory)))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private static JsonObject StoreEntry(string directory)
    {
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3);
        entry["onnx"] = Path.Combine(directory, "model.onnx");
        entry["tokenizer"] = new JsonObject { ["kind"] = "hf", ["path"] = Path.Combine(directory, "tokenizer.json") };
        return entry;
    }
}
