using System.Text.Json.Nodes;
using PoFT.Exporter;
using PoFT.Hybrid;
using PoFT.Scorer.Onnx;
using PoFT.Checkpoints;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;
using static TorchSharp.torch;

namespace PoFT.Tests.Export;

/// <summary>A LoRA checkpoint scored unmerged, merged into its base, and exported from the merge: the three
/// agree; an adapter that does not fit its base, or has none, is refused naming what is wrong.</summary>
public sealed class LoraMergeTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly LoraRuns _runs;

    public LoraMergeTests() => _runs = new LoraRuns(_temp);

    public void Dispose() => _temp.Dispose();

    private async Task<string> TrainedAdapter()
    {
        var summary = await _runs.Train(_temp.Sub("run"), LoraRuns.Options with { MaxSteps = 2 });
        return summary.CheckpointDirectory;
    }

    private static double Drift(ITokenLogProbModel a, ITokenLogProbModel b) => ExportCheck.MaxRelativeDiff(a, b, LoraRuns.Vocab, seed: 5, batch: 6, maxLength: 40);

    [Fact]
    public async Task The_merged_checkpoint_and_its_ONNX_export_score_as_the_unmerged_adapter()
    {
        var adapter = await TrainedAdapter();
        var merged = _temp.Sub("merged");
        Assert.Equal(_runs.Base, LoraMerge.Merge(adapter, merged));

        using var unmerged = TorchTokenLogProbModel.Load(adapter, Placement.Cpu);
        using var mergedModel = TorchTokenLogProbModel.Load(merged, Placement.Cpu);
        using var baseModel = TorchTokenLogProbModel.Load(_runs.Base, Placement.Cpu);
        // The adapter moved the model, so agreement below is not that of two copies of the base.
        Assert.True(Drift(baseModel, unmerged) > 1e-3);
        Assert.InRange(Drift(mergedModel, unmerged), 0, 1e-5);

        var exported = _temp.Sub("onnx");
        LlamaOnnxExporter.Export(merged, exported, new ExportOptions());
        using var ort = OrtTokenLogProbModel.Open("merged", Path.Combine(exported, "model.onnx"), new ExecutionProviderSpec(), new OrtScoringOptions(), _ => { });
        Assert.InRange(Drift(ort, unmerged), 0, ExportCheck.Tolerance);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_merged_weight_is_the_base_weight_plus_scaling_times_B_times_A_read_from_the_files(bool rslora)
    {
        var lora = LoraRuns.Lora with { UseRslora = rslora };
        var adapter = (await _runs.Train(_temp.Sub("run"), LoraRuns.Options with { MaxSteps = 1, Lora = lora })).CheckpointDirectory;
        var merged = _temp.Sub("merged");
        LoraMerge.Merge(adapter, merged);

        // PEFT's rule, from the files alone: W' = W + s·B·A, s = alpha/r (alpha/√r with rslora).
        var scaling = rslora ? lora.Alpha / Math.Sqrt(lora.R) : lora.Alpha / lora.R;
        using var baseCheckpoint = Checkpoint.Open(_runs.Base);
        using var mergedCheckpoint = Checkpoint.Open(merged);
        using var weights = SafetensorsFile.Open(Path.Combine(adapter, Checkpoint.AdapterWeightsFile));
        const string module = "model.layers.1.mlp.down_proj";
        var a = weights.ReadFloat32(weights[$"base_model.model.{module}.lora_A.weight"]);
        var bEntry = weights[$"base_model.model.{module}.lora_B.weight"];
        var b = weights.ReadFloat32(bEntry);
        var (rows, r) = ((int)bEntry.Shape[0], (int)bEntry.Shape[1]);
        var columns = a.Length / r;
        var w = baseCheckpoint.ReadFloat32($"{module}.weight");
        var actual = mergedCheckpoint.ReadFloat32($"{module}.weight");
        Assert.Contains(b, v => v != 0);
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < columns; j++)
            {
                var delta = 0.0;
                for (var k = 0; k < r; k++)
                    delta += b[i * r + k] * (double)a[k * columns + j];
                Assert.Equal(w[i * columns + j] + scaling * delta, actual[i * columns + j], 1e-6);
            }
        Assert.Equal(baseCheckpoint.ReadFloat32(ExpectedTensors.Embedding), mergedCheckpoint.ReadFloat32(ExpectedTensors.Embedding));
    }

    [Fact]
    public async Task Exporting_an_adapter_is_refused_with_the_merge_command_and_merge_refuses_a_non_empty_output()
    {
        var adapter = await TrainedAdapter();
        var error = Assert.Throws<CheckpointFormatException>(() => LlamaOnnxExporter.Export(adapter, _temp.Sub("onnx"), new ExportOptions()));
        Assert.Contains($"poft merge --adapter {adapter}", error.Message);

        var occupied = _temp.Sub("occupied");
        File.WriteAllText(Path.Combine(occupied, "keep.txt"), "");
        var refused = Assert.Throws<IOException>(() => LoraMerge.Merge(adapter, occupied));
        Assert.Contains(occupied, refused.Message);
        Assert.Equal(["keep.txt"], Directory.GetFiles(occupied).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_bf16_base_merges_into_a_bf16_checkpoint_and_trains_with_a_bf16_base_and_fp32_adapter()
    {
        var bf16Base = _temp.Sub("base-bf16");
        using (var model = ModelCheckpoint.Load(_runs.Base, Placement.Cpu with { DType = ScalarType.BFloat16 }))
            ModelCheckpoint.Save(model, bf16Base, _runs.Base);
        var options = LoraRuns.Options with { MaxSteps = 1, Lora = LoraRuns.Lora with { BaseDtype = "bfloat16" } };
        var placement = Placement.Cpu.For(options.Lora);
        Assert.Equal(ScalarType.BFloat16, placement.DType);
        using (var model = ModelCheckpoint.LoadForTraining(bf16Base, placement, options.Lora, options.Seed))
        {
            Assert.All(model.named_parameters(), p => Assert.Equal(p.name.Contains(".lora_") ? ScalarType.Float32 : ScalarType.BFloat16, p.parameter.dtype));
            await _runs.Trainer(model, _temp.Sub("run"), options).RunAsync(null, null, CancellationToken.None);
        }
        var adapter = Path.Combine(_temp.Path, "run", "final");
        var merged = _temp.Sub("merged");
        LoraMerge.Merge(adapter, merged);
        using var checkpoint = Checkpoint.Open(merged);
        Assert.All(ExpectedTensors.For(LoraRuns.Config), spec => Assert.Equal(SafetensorsDType.BF16, checkpoint.Entry(spec.Name).DType));
        Assert.Equal("bfloat16", checkpoint.Config.TorchDtype);
    }

    [Fact]
    public async Task An_adapter_whose_base_is_gone_names_the_path_and_merges_with_base_given()
    {
        var adapter = await TrainedAdapter();
        var moved = Path.Combine(_temp.Path, "moved-base");
        Directory.Move(_runs.Base, moved);

        var error = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load(adapter, Placement.Cpu));
        Assert.Contains(Checkpoint.AdapterConfigFile, error.Message);
        Assert.Contains($"base_model_name_or_path: no checkpoint at {_runs.Base}", error.Message);

        Assert.Equal(moved, LoraMerge.Merge(adapter, _temp.Sub("merged"), baseDirectory: moved));
    }

    [Theory]
    [InlineData("peft_type", "\"IA3\"", "peft_type: \"IA3\" is not supported; expected \"LORA\"")]
    [InlineData("use_dora", "true", "use_dora: true is not supported")]
    [InlineData("rank_pattern", "{\"q_proj\": 8}", "rank_pattern: per-module ranks and alphas are not supported")]
    [InlineData("target_modules", "\"all-linear\"", "target_modules: expected a list of projection names")]
    [InlineData("target_modules", "[\"q_proj\", \"fc1\"]", "target_modules: 'fc1' is out of range")]
    public async Task An_adapter_config_this_trainer_cannot_run_is_refused_naming_the_key(string key, string value, string message)
    {
        var adapter = await TrainedAdapter();
        var config = Path.Combine(adapter, Checkpoint.AdapterConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        json[key] = JsonNode.Parse(value);
        File.WriteAllText(config, json.ToJsonString());

        var error = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load(adapter, Placement.Cpu));
        Assert.Equal(config, error.File);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task An_adapter_for_another_base_is_refused_naming_the_tensor_and_both_shapes()
    {
        var adapter = await TrainedAdapter();
        var wider = RandomCheckpoints.Write(_temp.Sub("wider"), RandomCheckpoints.Build(hidden: 48, attentionBias: true), seed: 12);
        var config = Path.Combine(adapter, Checkpoint.AdapterConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        json["base_model_name_or_path"] = wider;
        File.WriteAllText(config, json.ToJsonString());

        var error = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.Load(adapter, Placement.Cpu));
        Assert.Contains(Checkpoint.AdapterWeightsFile, error.Message);
        Assert.Contains("'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [4, 32]", error.Message);
        Assert.Contains($"the base at {wider} need [4, 48]", error.Message);
    }

    [Fact]
    public async Task Merge_refuses_a_base_other_than_the_adapters_even_of_the_same_shapes_and_takes_a_copy_of_it()
    {
        var adapter = await TrainedAdapter();
        Assert.True(File.Exists(Path.Combine(adapter, BaseFingerprint.FileName)));

        // A byte-identical copy elsewhere is the same base.
        var copy = _temp.Sub("copy");
        foreach (var file in Directory.GetFiles(_runs.Base))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        Assert.Equal(copy, LoraMerge.Merge(adapter, _temp.Sub("merged-copy"), baseDirectory: copy));

        // The same shapes, one weight changed: the merge would succeed and be wrong.
        var variant = _temp.Sub("variant");
        using (var model = ModelCheckpoint.Load(_runs.Base, Placement.Cpu))
        {
            using (no_grad())
                model.named_parameters().First().parameter.add_(1e-3f);
            ModelCheckpoint.Save(model, variant, _runs.Base);
        }
        var merged = Path.Combine(_temp.Path, "merged-variant");
        var error = Assert.Throws<CheckpointFormatException>(() => LoraMerge.Merge(adapter, merged, baseDirectory: variant));
        Assert.Equal(Path.Combine(adapter, BaseFingerprint.FileName), error.File);
        Assert.Contains(_runs.Base, error.Message);
        Assert.Contains(variant, error.Message);
        Assert.False(Directory.Exists(merged));
    }
}
