using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using PoFT.Cli.Commands;
using PoFT.Cli.Training;
using PoFT.Exporter;
using PoFT.Shared.Chat;
using PoFT.Shared.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Tokenizers;
using PoFT.Trainer.Model;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;

namespace PoFT.Cli.Demo;

/// <summary>
/// The end-to-end smoke run: data → aligned models (trained briefly with CE, exported to ONNX, listed in
/// a manifest) → target trained with PoFT while the aligned models score online → checkpoint → export →
/// the trained target scored by the scorer. Every stage goes through the same code as the CLI verbs.
/// </summary>
public sealed class SmokeDemo(string root, string assets, int seed)
{
    private static readonly (string Name, string Tokenizer, string Template)[] AlignedModels =
    [
        ("aligned-llama3", "llama3", ChatTemplateSpec.Llama3),
        ("aligned-qwen3", "qwen3", ChatTemplateSpec.ChatMl),
    ];

    public async Task RunAsync(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var data = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
        var (aligned, clean, eval) = ArithmeticData.Splits(aligned: 600, train: 240, eval: 80, seed);
        var noise = NoiseRecipe.Make(clean, count: 80, corruption: 0.3, new Random(seed + 1));
        SftDataWriter.WriteJsonLines(Path.Combine(data, "aligned.jsonl"), aligned);
        SftDataWriter.WriteJsonLines(Path.Combine(data, "train.jsonl"), [.. clean, .. noise]);
        SftDataWriter.WriteJsonLines(Path.Combine(data, "eval.jsonl"), eval);
        Stage(clock, $"data: {aligned.Count} aligned, {clean.Count} clean + {noise.Count} noise train, {eval.Count} eval samples");

        var entries = new JsonArray();
        foreach (var (name, tokenizer, template) in AlignedModels)
        {
            var trained = await Train(name, tokenizer, template, "aligned.jsonl", ObjectiveKind.Ce, manifest: null, steps: 60, stop);
            var onnx = Path.Combine(root, "aligned", name);
            LlamaOnnxExporter.Export(trained, onnx, new ExportOptions());
            entries.Add(new JsonObject
            {
                ["name"] = name,
                ["onnx"] = $"aligned/{name}/model.onnx",
                ["checkpoint"] = Path.GetRelativePath(root, trained),
                ["tokenizer"] = new JsonObject { ["kind"] = "hf", ["path"] = $"aligned/{name}/tokenizer.json" },
                ["template"] = new JsonObject { ["family"] = template },
                ["max_length"] = 256,
            });
            Stage(clock, $"aligned model {name}: trained with CE, exported to {onnx}");
        }
        var manifest = Path.Combine(root, "models-manifest.json");
        PoFT.Shared.AtomicFile.WriteAllText(manifest, new JsonObject { ["models"] = entries }.ToJsonString(new() { WriteIndented = true }));

        var target = await Train("target-poft", "llama3", ChatTemplateSpec.Llama3, "train.jsonl", ObjectiveKind.Poft, manifest, steps: 40, stop);
        Stage(clock, "target trained with PoFT, scored online by both aligned models");
        var metrics = File.ReadAllLines(Path.Combine(root, "runs", "target-poft", "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        var steps = metrics.Where(m => m["kind"]!.GetValue<string>() == "step").ToList();
        double Mean(string field) => steps.Select(s => s[field]?.GetValue<double?>()).OfType<double>().DefaultIfEmpty(double.NaN).Average();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  mean τ over training: clean samples {Mean("tau_clean"):F3}, noise samples {Mean("tau_noise"):F3}"));

        var exported = Path.Combine(root, "target-onnx");
        LlamaOnnxExporter.Export(target, exported, new ExportOptions());
        var difference = ExportCommand.Verify(target, exported);
        Stage(clock, string.Create(CultureInfo.InvariantCulture, $"target exported, ONNX Runtime vs TorchSharp max_abs_diff={difference:E2}"));
        if (difference > ExportCommand.Tolerance)
            throw new InvalidOperationException($"exported target disagrees with TorchSharp by {difference:E2}");
        Console.WriteLine($"demo finished in {clock.Elapsed.TotalSeconds:F0} s; everything is under {root}");
    }

    private async Task<string> Train(string name, string tokenizer, string template, string dataFile, ObjectiveKind objective,
        string? manifest, int steps, CancellationToken stop)
    {
        var start = Path.Combine(root, "init", name);
        var tokenizerDir = Path.Combine(assets, tokenizer);
        var vocabulary = TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, "tokenizer.json"), tokenizerDir);
        var config = ModelConfig.Preset("tiny", vocabulary.VocabularySize!.Value) with
        {
            BosTokenId = vocabulary.Bos?.Id,
            EosTokenIds = vocabulary.Eos is { } eos ? [eos.Id] : [],
        };
        using (var model = ModelCheckpoint.CreateFresh(config, seed))
            ModelCheckpoint.Save(model, start, tokenizerDir);
        var run = new TrainConfig
        {
            Model = start,
            Template = new ChatTemplateSpec(template),
            MaxLength = 256,
            TrainData = Path.Combine(root, "data", dataFile),
            EvalData = Path.Combine(root, "data", "eval.jsonl"),
            Manifest = manifest,
            Output = Path.Combine(root, "runs", name),
            Training = new TrainingOptions { Objective = objective, LearningRate = 3e-3, BatchSize = 16, MaxSteps = steps, Epochs = 100, Seed = seed },
        };
        if (Directory.Exists(run.Output))
            Directory.Delete(run.Output, recursive: true);
        var summary = await TrainCommand.Run(run, resume: null, stop);
        return summary.CheckpointDirectory;
    }

    private static void Stage(Stopwatch clock, string message) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");
}
