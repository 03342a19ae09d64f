using System.CommandLine;
using PoFT.Shared.Checkpoints;
using PoFT.Shared.Tokenizers;
using PoFT.Trainer.Model;

namespace PoFT.Cli.Commands;

/// <summary><c>init-model</c>: a fresh, seeded Llama-family checkpoint from a preset or a config.json.</summary>
public static class InitModelCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = $"preset ({string.Join(", ", ModelConfig.PresetNames)}) or path to a Hugging Face config.json", Required = true };
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "directory with tokenizer.json (+ tokenizer_config.json) or GPT-2's vocab.json + merges.txt; sets the vocabulary and special ids, and is copied into the checkpoint", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "checkpoint directory to write", Required = true };
        var seed = new Option<long>("--seed") { Description = "initialisation seed", DefaultValueFactory = _ => 0 };
        var command = new Command("init-model", "Create a fresh Llama-family checkpoint (Hugging Face layout)") { config, tokenizer, output, seed };
        command.SetAction(parse =>
        {
            var tokenizerDir = parse.GetRequiredValue(tokenizer).FullName;
            var tokenizerFiles = TokenizerLoader.LoadFromModelDirectory(tokenizerDir);
            var vocabularySize = tokenizerFiles.VocabularySize ?? throw new InvalidOperationException($"{tokenizerFiles.Source}: id space size unknown");
            var spec = parse.GetRequiredValue(config);
            var modelConfig = ModelConfig.PresetNames.Contains(spec)
                ? ModelConfig.Preset(spec, vocabularySize) with
                {
                    BosTokenId = tokenizerFiles.Bos?.Id,
                    EosTokenIds = tokenizerFiles.Eos is { } eos ? [eos.Id] : [],
                }
                : ModelConfig.Load(spec);
            if (modelConfig.VocabSize < vocabularySize)
                throw new ArgumentException($"{spec}: vocab_size {modelConfig.VocabSize} is smaller than the tokenizer's {vocabularySize} ids");
            var outDir = parse.GetRequiredValue(output).FullName;
            using var model = ModelCheckpoint.CreateFresh(modelConfig, parse.GetValue(seed));
            ModelCheckpoint.Save(model, outDir, tokenizerDir);
            Console.WriteLine($"wrote {outDir}: {modelConfig.Architecture}, {modelConfig.ParameterCount / 1e6:F1}M parameters, vocab {modelConfig.VocabSize}");
        });
        return command;
    }
}
