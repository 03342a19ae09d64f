using System.Text.Json.Nodes;
using PoFT.Scorer.Manifest;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;

namespace PoFT.Tests.Scorer;

/// <summary>The whole scoring path — manifest → chat template → real tokenizer → packing → backend —
/// with two aligned models that share neither tokenizer nor template.</summary>
public sealed class ManifestScoringTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>
{
    private static readonly IScoringBackend Ort = new OrtScoringBackend(new OrtScoringOptions { IntraOpThreads = 1 });
    private static readonly IScoringBackend Torch = new TorchScoringBackend(Placement.Cpu);

    private static async Task<List<PreferenceScore>> Score(string manifestPath, IScoringBackend backend, IReadOnlyList<SftSample> samples, int tokenBudget = 0)
    {
        using var set = AlignedModelSet.Open(ModelsManifest.Load(manifestPath), backend, tokenBudget, _ => { });
        var pipeline = new ScoringPipeline(set.Models, new ScoringPipelineOptions { WindowSize = 16 });
        var scores = new List<PreferenceScore>();
        await foreach (var batch in pipeline.Start(samples, batchSize: 4).ReadAllAsync())
            scores.AddRange(batch.Scores);
        return scores;
    }

    private string TwoModels() => models.Manifest("two.json",
        AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3),
        AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl, weight: 2));

    [Fact]
    public async Task Onnx_scores_equal_TorchSharp_scores_through_the_whole_path()
    {
        var samples = AlignedModelsFixture.MultiTurn(24, seed: 1);
        var onnx = await Score(TwoModels(), Ort, samples, tokenBudget: 300);
        var torch = await Score(TwoModels(), Torch, samples);

        Assert.Equal(samples.Select(s => s.Id), onnx.Select(s => s.SampleId));
        for (var i = 0; i < samples.Count; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                Assert.Equal(torch[i].PerModel[j].TokenCount, onnx[i].PerModel[j].TokenCount);
                Assert.Equal(torch[i].PerModel[j].Mean, onnx[i].PerModel[j].Mean, 1e-4);
            }
            Assert.Equal(torch[i].Reference, onnx[i].Reference, 1e-4);
            Assert.Equal((onnx[i].PerModel[0].Mean + 2 * onnx[i].PerModel[1].Mean) / 3, onnx[i].Reference, 1e-9);
        }
        // Different tokenizers see the same text as different token counts.
        Assert.Contains(onnx, s => s.PerModel[0].TokenCount != s.PerModel[1].TokenCount);
    }

    [Fact]
    public async Task A_sample_scores_as_the_mean_log_prob_of_its_assistant_tokens()
    {
        var sample = AlignedModelsFixture.MultiTurn(3, seed: 2)[2];
        var scored = (await Score(TwoModels(), Ort, [sample]))[0];

        // Independently: render and tokenize with the llama3 template, run the checkpoint unbatched.
        var tokenizerDir = Path.Combine(models.Root, "llama-onnx");
        var tokenizer = PoFT.Text.Tokenizers.TokenizerLoader.Load(new("hf", "tokenizer.json"), tokenizerDir);
        var tokenized = new ChatTokenizer(tokenizer, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 256, TruncationPolicy.Error).Tokenize(sample);
        using var torch = TorchTokenLogProbModel.Load(Path.Combine(models.Root, "llama"), Placement.Cpu);
        var n = tokenized.TokenIds.Length;
        var logProbs = new float[n - 1];
        torch.TokenLogProbs(tokenized.TokenIds.Select(t => (long)t).ToArray(), Enumerable.Repeat(1L, n).ToArray(), 1, n, logProbs);
        var response = Enumerable.Range(1, n - 1).Where(t => tokenized.ResponseMask[t]).ToList();

        Assert.Equal(response.Count, scored.PerModel[0].TokenCount);
        Assert.Equal(response.Average(t => (double)logProbs[t - 1]), scored.PerModel[0].Mean, 1e-4);
        Assert.Equal(tokenizer.TokenId("<|eot_id|>"), tokenized.TokenIds[response[^1]]);
    }

    [Fact]
    public async Task Models_are_swapped_by_editing_the_manifest_only()
    {
        var samples = AlignedModelsFixture.MultiTurn(8, seed: 3);
        var two = await Score(TwoModels(), Ort, samples);
        var three = await Score(models.Manifest("three.json",
            AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3),
            AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl, weight: 2),
            AlignedModelsFixture.Entry("llama-b", ChatTemplateSpec.Llama3)), Ort, samples);
        var one = await Score(models.Manifest("one.json",
            AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl, weight: 2)), Ort, samples);

        for (var i = 0; i < samples.Count; i++)
        {
            Assert.Equal(3, three[i].PerModel.Count);
            // The models kept score exactly as before; r̄ is the new weighted mean.
            Assert.Equal(two[i].PerModel[0].Mean, three[i].PerModel[0].Mean, 1e-9);
            Assert.Equal(two[i].PerModel[1].Mean, three[i].PerModel[1].Mean, 1e-9);
            Assert.Equal((three[i].PerModel[0].Mean + 2 * three[i].PerModel[1].Mean + three[i].PerModel[2].Mean) / 4, three[i].Reference, 1e-9);
            Assert.NotEqual(two[i].Reference, three[i].Reference);
            Assert.Single(one[i].PerModel);
            Assert.Equal(two[i].PerModel[1].Mean, one[i].Reference, 1e-9);
        }
    }

    [Fact]
    public async Task A_Qwen3_architecture_model_with_its_own_chat_template_replaces_an_aligned_model_by_a_manifest_edit_only()
    {
        var samples = AlignedModelsFixture.MultiTurn(8, seed: 5);
        var two = await Score(TwoModels(), Ort, samples);
        var swapped = models.Manifest("qwen3-swapped.json",
            AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3),
            AlignedModelsFixture.Entry(AlignedModelsFixture.Qwen3Architecture, ChatTemplateSpec.Auto, weight: 2));
        var onnx = await Score(swapped, Ort, samples);
        var torch = await Score(swapped, Torch, samples);

        Assert.True(PoFT.Checkpoints.ModelConfig.Load(Path.Combine(models.Root, AlignedModelsFixture.Qwen3Architecture, "config.json")).QkNorm);
        for (var i = 0; i < samples.Count; i++)
        {
            Assert.Equal(two[i].PerModel[0].Mean, onnx[i].PerModel[0].Mean, 1e-9);
            Assert.NotEqual(two[i].PerModel[1].Mean, onnx[i].PerModel[1].Mean);
            Assert.Equal(torch[i].PerModel[1].TokenCount, onnx[i].PerModel[1].TokenCount);
            Assert.Equal(torch[i].PerModel[1].Mean, onnx[i].PerModel[1].Mean, 1e-4);
            Assert.Equal((onnx[i].PerModel[0].Mean + 2 * onnx[i].PerModel[1].Mean) / 3, onnx[i].Reference, 1e-9);
        }
    }

    /// <summary>A Mistral model whose max_length is far beyond its sliding window scores (it was refused before the
    /// window was applied): ONNX Runtime as TorchSharp does, and otherwise than the same weights attending to everything.</summary>
    [Fact]
    public async Task A_sliding_window_model_scores_samples_longer_than_its_window_in_both_backends_alike()
    {
        var samples = AlignedModelsFixture.MultiTurn(6, seed: 7);
        var windowed = models.Manifest("window.json", AlignedModelsFixture.Entry(AlignedModelsFixture.MistralWindow, ChatTemplateSpec.Llama3, maxLength: 256));
        var onnx = await Score(windowed, Ort, samples);
        var torch = await Score(windowed, Torch, samples);
        var full = await Score(models.Manifest("full.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, maxLength: 256)), Ort, samples);
        for (var i = 0; i < samples.Count; i++)
        {
            Assert.Equal(torch[i].PerModel[0].Mean, onnx[i].PerModel[0].Mean, 1e-4);
            Assert.NotEqual(full[i].PerModel[0].Mean, onnx[i].PerModel[0].Mean, 1e-3);
        }
    }

    [Fact]
    public async Task A_response_longer_than_max_length_stops_scoring_naming_the_sample()
    {
        // truncation 'error' named: the default, truncate-prompt, keeps the end of a long sample instead.
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, maxLength: 24);
        entry["truncation"] = "error";
        var manifest = models.Manifest("short.json", entry);
        var samples = AlignedModelsFixture.MultiTurn(6, seed: 4);
        var error = await Assert.ThrowsAsync<InvalidSampleException>(() => Score(manifest, Ort, samples));
        Assert.Matches("m[0-5]", error.Message);
        var length = Unlimited(ChatTemplateSpec.Llama3).Tokenize(samples.Single(s => s.Id == error.SampleId)).TokenIds.Length;
        Assert.Contains($"{manifest}: model 'llama': field 'max_length': the sample is {length} tokens, longer than max_length 24", error.Message);
        Assert.Contains("field 'truncation' may be truncate-prompt", error.Message);
    }

    [Theory]
    [InlineData("error", "refuses it")]
    [InlineData("truncate-response", "leaves no response token")]
    public void A_max_length_too_small_for_the_probe_is_reported_as_max_length_not_as_the_template(string truncation, string consequence)
    {
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3, maxLength: 5);
        entry["truncation"] = truncation;
        var path = models.Manifest($"probe-{truncation}.json", entry);
        var error = Assert.Throws<ManifestException>(() => AlignedModelSet.Open(ModelsManifest.Load(path), Ort, 0, _ => { }).Dispose());

        var probe = new SftSample("probe", [new ChatMessage(ChatMessage.User, "Hi"), new ChatMessage(ChatMessage.Assistant, "Hello.")]);
        var length = Unlimited(ChatTemplateSpec.Llama3).Tokenize(probe).TokenIds.Length;
        Assert.Contains($"{path}: model 'llama': field 'max_length'", error.Message);
        Assert.Contains($"{length} tokens, longer than max_length 5", error.Message);
        Assert.Contains(consequence, error.Message);
        Assert.DoesNotContain("does not fit", error.Message);
    }

    private ChatTokenizer Unlimited(string family) => new(
        PoFT.Text.Tokenizers.TokenizerLoader.Load(new("hf", "tokenizer.json"), Path.Combine(models.Root, "llama-onnx")),
        new ChatTemplateSpec(family), int.MaxValue, TruncationPolicy.Error);

    [Theory]
    [InlineData("template", """{"family": "vicuna"}""", "field 'template.family': 'vicuna' is not one of")]
    [InlineData("onnx", "\"nowhere/model.onnx\"", "field 'onnx': file not found")]
    [InlineData("max_length", "1", "field 'max_length'")]
    [InlineData("weight", "-1", "field 'weight'")]
    [InlineData("provider", """{"kind": "tpu"}""", "field 'provider.kind'")]
    [InlineData("colour", "\"blue\"", "colour")]
    public void Bad_manifest_fields_are_errors_naming_the_model_and_field(string field, string value, string expected)
    {
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3);
        entry[field] = JsonNode.Parse(value);
        var path = models.Manifest($"bad-{field}.json", entry);
        var error = Assert.Throws<ManifestException>(() => ModelsManifest.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("model 'llama'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_missing_required_field_is_an_error_naming_it()
    {
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3);
        entry.Remove("tokenizer");
        var error = Assert.Throws<ManifestException>(() => ModelsManifest.Load(models.Manifest("no-tokenizer.json", entry)));
        Assert.Contains("model 'llama'", error.Message);
        Assert.Contains("tokenizer", error.Message);
    }

    [Fact]
    public void A_template_whose_control_tokens_the_tokenizer_lacks_is_refused_when_opening()
    {
        var path = models.Manifest("mismatch.json", AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.Llama3));
        var error = Assert.Throws<ManifestException>(() =>
            AlignedModelSet.Open(ModelsManifest.Load(path), Ort, 0, _ => { }).Dispose());
        Assert.Contains("model 'qwen'", error.Message);
        Assert.Contains("template 'llama3'", error.Message);
    }

    [Fact]
    public void An_unknown_top_level_field_is_an_error_naming_it_and_schema_is_allowed()
    {
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3);
        var path = Path.Combine(models.Root, "top-level.json");
        File.WriteAllText(path, new JsonObject { ["$schema"] = "./models-manifest.schema.json", ["models"] = new JsonArray(entry.DeepClone()) }.ToJsonString());
        Assert.Equal(["llama"], ModelsManifest.Load(path).Names);

        File.WriteAllText(path, new JsonObject { ["models"] = new JsonArray(entry.DeepClone()), ["weights"] = new JsonObject { ["llama"] = 3 } }.ToJsonString());
        var error = Assert.Throws<ManifestException>(() => ModelsManifest.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("unknown top-level field 'weights'", error.Message);
    }

    [Theory]
    [InlineData("llama\nqwen", "U+000A")]
    [InlineData("llama\u001b[2J", "U+001B")]
    public void A_model_name_with_a_control_character_is_an_error_naming_the_field(string name, string expected)
    {
        var path = models.Manifest($"control-{expected}.json", AlignedModelsFixture.Entry(name, ChatTemplateSpec.Llama3));
        var error = Assert.Throws<ManifestException>(() => ModelsManifest.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("field 'name'", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain(error.Message, char.IsControl);
    }

    [Fact]
    public void An_onnx_path_outside_the_manifest_folder_is_read_and_a_file_that_is_not_onnx_is_named_as_such()
    {
        using var elsewhere = new TempDirectory();
        var notOnnx = elsewhere.File("passwd");
        File.WriteAllText(notOnnx, "root:x:0:0:root:/root:/bin/bash\n");
        var entry = AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3);
        entry["onnx"] = Path.GetRelativePath(models.Root, notOnnx);
        Assert.StartsWith("..", entry["onnx"]!.GetValue<string>());
        var path = models.Manifest("outside.json", entry);

        var error = Assert.Throws<ManifestException>(() => AlignedModelSet.Open(ModelsManifest.Load(path), Ort, 0, _ => { }).Dispose());
        Assert.Contains(path, error.Message);
        Assert.Contains("model 'llama': field 'onnx': not a scoring graph", error.Message);
        Assert.Contains(notOnnx, error.Message);
    }

    [Fact]
    public void A_missing_manifest_is_an_error_naming_it() =>
        Assert.Contains("/nowhere/models-manifest.json", Assert.Throws<ManifestException>(() => ModelsManifest.Load("/nowhere/models-manifest.json")).Message);
}
