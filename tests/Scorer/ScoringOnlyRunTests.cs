using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PoFT.Exporter;
using PoFT.Scorer;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

/// <summary>The <c>score</c> verb's library side end to end: data file → manifest's ONNX models → score file.</summary>
public sealed class ScoringOnlyRunTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private static readonly IScoringBackend Ort = new OrtScoringBackend(new OrtScoringOptions { IntraOpThreads = 1 });
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Data(int count, int seed)
    {
        var path = _temp.File($"data-{count}-{seed}.jsonl");
        SftDataWriter.WriteJsonLines(path, AlignedModelsFixture.MultiTurn(count, seed));
        return path;
    }

    private static async Task Score(string manifest, string data, string output, bool resume = false)
    {
        using var run = ScoringOnlyRun.Open(ModelsManifest.Load(manifest), data, output, resume, SampleShard.All, skipBad: false, Ort,
            tokenBudget: 0, new ScoringPipelineOptions { WindowSize = 8 }, _ => { });
        await run.RunAsync(progress: null, CancellationToken.None);
    }

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

    [Theory]
    [InlineData("failed.jsonl")]
    [InlineData("failed.msgpack")]
    public async Task A_run_that_fails_before_its_first_record_leaves_no_file(string name)
    {
        var manifest = models.Manifest("short-run.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, maxLength: 24));
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
        await Score(TwoModels("recorded.json"), Data(4, seed: 20), output);

        var provenance = JsonNode.Parse(File.ReadAllText(output + ".provenance.json"))!;
        var llama = provenance["models"]![0]!;
        Assert.Equal(["llama", "qwen"], provenance["models"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(models.Root, "llama-onnx", "model.onnx")))),
            llama["onnx_sha256"]!.GetValue<string>());
        Assert.Equal(256, llama["max_length"]!.GetValue<int>());
        Assert.Equal(2.0, provenance["models"]![1]!["weight"]!.GetValue<double>());
        Assert.Equal("llama3", llama["template"]!["family"]!.GetValue<string>());
        Assert.Equal("llama-onnx/tokenizer.json", llama["tokenizer"]!["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task Resuming_with_the_same_models_and_settings_adds_only_the_missing_records()
    {
        var manifest = TwoModels("same.json");
        var output = _temp.File("same.jsonl");
        await Score(manifest, Data(6, seed: 21), output);
        var first = File.ReadAllBytes(output);
        await Score(manifest, Data(10, seed: 21), output, resume: true);

        Assert.Equal(AlignedModelsFixture.MultiTurn(10, seed: 21).Select(s => s.Id).Order(), ScoreFile.Read(output).Select(r => r.Id).Order());
        Assert.Equal(first, File.ReadAllBytes(output).AsSpan(0, first.Length).ToArray());
    }

    [Theory]
    [InlineData("qwen", "weight", "3")]
    [InlineData("llama", "max_length", "200")]
    [InlineData("llama", "truncation", "\"truncate-prompt\"")]
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
