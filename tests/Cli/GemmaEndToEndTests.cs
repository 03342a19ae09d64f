using System.Text.Json.Nodes;
using PoFT.Shared.Chat;
using PoFT.Shared.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Tests.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>Gemma 3 and Gemma 2 models through the commands a user runs: <c>init-model</c> from a config.json
/// (gemma-3-1b-it's, shrunk, with a sliding and a global layer and a window shorter than the samples; for Gemma 2
/// the same turned into a Gemma2ForCausalLM with its published softcaps), a few steps of CE and of PoFT,
/// <c>export --verify</c> and <c>score</c>, with the Gemma 3 tokenizer and its own chat template (<c>auto</c>).</summary>
public sealed class GemmaEndToEndTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("Gemma3ForCausalLM")]
    [InlineData("Gemma2ForCausalLM")]
    public async Task Init_train_with_CE_and_PoFT_export_verify_and_score(string architecture)
    {
        var config = _temp.File("gemma-tiny.json");
        File.WriteAllText(config, ModelConfigTests.Edit(File.ReadAllText(Path.Combine(RepoPaths.Root, "configs", "models", "gemma-3-1b-it.json")), o =>
        {
            (o["hidden_size"], o["intermediate_size"], o["num_hidden_layers"]) = (32, 64, 2);
            (o["num_attention_heads"], o["num_key_value_heads"], o["head_dim"]) = (4, 1, 16);
            (o["sliding_window"], o["sliding_window_pattern"]) = (8, 2);
            o.Remove("vocab_size");
            if (architecture == "Gemma2ForCausalLM")
            {
                (o["architectures"], o["model_type"], o["rope_theta"]) = (new JsonArray("Gemma2ForCausalLM"), "gemma2", 10000.0);
                (o["attn_logit_softcapping"], o["final_logit_softcapping"]) = (50.0, 30.0);
                // Gemma 2 alternates its layers whatever this says.
                o.Remove("sliding_window_pattern");
                o.Remove("rope_local_base_freq");
            }
        }));
        var data = _temp.File("train.jsonl");
        SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(8, seed: 6));
        var aligned = models.Manifest("e2e-aligned.json", AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3));

        var init = await Poft("init-model", "--config", config, "--tokenizer", RepoPaths.Tokenizer("gemma3"), "--out", _temp.File("base"), "--seed", "1");
        Assert.Contains(architecture, init);
        var written = ModelConfig.Load(Path.Combine(_temp.File("base"), Checkpoint.ConfigFile));
        Assert.True(written is { IsGemma: true, HeadDim: 16, HiddenSize: 32, SlidingWindow: 8, TieWordEmbeddings: true });
        Assert.Equal(architecture == "Gemma2ForCausalLM" ? 30.0 : (double?)null, written.FinalLogitSoftcap);
        Assert.Equal([true, false], [written.IsSlidingLayer(0), written.IsSlidingLayer(1)]);

        var trained = "";
        foreach (var objective in new[] { "ce", "poft" })
        {
            var output = await Poft("train", "--config", TrainConfig(objective, data, aligned));
            Assert.Contains("steps=2", output);
            trained = output.Split('\n').Single(l => l.StartsWith("checkpoint: ", StringComparison.Ordinal))["checkpoint: ".Length..].Trim();
        }
        Assert.Equal(architecture, ModelConfig.Load(Path.Combine(trained, Checkpoint.ConfigFile)).Architecture);

        var onnx = _temp.File("onnx");
        Assert.Contains("max_rel_diff=", await Poft("export", "--checkpoint", trained, "--out", onnx, "--verify"));

        var manifest = _temp.File("scored.json");
        File.WriteAllText(manifest, new JsonObject
        {
            ["models"] = new JsonArray(new JsonObject
            {
                ["name"] = "gemma3-trained",
                ["onnx"] = Path.Combine(onnx, ScoringGraph.ModelFile),
                ["tokenizer"] = new JsonObject { ["kind"] = "hf", ["path"] = Path.Combine(onnx, "tokenizer.json") },
                ["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Auto },
                ["max_length"] = 256,
            }),
        }.ToJsonString());
        var scores = _temp.File("scores.jsonl");
        await Poft("score", "--manifest", manifest, "--data", data, "--out", scores, "--threads", "1");
        var records = ScoreFile.Read(scores);
        Assert.Equal(8, records.Count);
        Assert.All(records, r => Assert.True(r.Models.Single().Count > 0 && double.IsFinite(r.Reference) && r.Reference < 0));
    }

    private string TrainConfig(string objective, string data, string manifest)
    {
        var path = _temp.File($"train-{objective}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["model"] = _temp.File("base"),
            ["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Auto },
            ["max_length"] = 256,
            ["train_data"] = data,
            ["manifest"] = manifest,
            ["output"] = _temp.File($"run-{objective}"),
            ["training"] = new JsonObject { ["objective"] = objective, ["batch_size"] = 2, ["max_steps"] = 2, ["seed"] = 1, ["eval_every"] = 0 },
        }.ToJsonString());
        return path;
    }

    private static async Task<string> Poft(params string[] arguments)
    {
        var result = await PoftProcess.Run(arguments);
        Assert.True(result.ExitCode == 0, $"poft {arguments[0]}: {result.Error}");
        return result.Output;
    }
}
