using System.CommandLine;
using PoFT.Checkpoints;
using PoFT.Trainer.Model;

namespace PoFT.Cli.Commands;

/// <summary><c>init-model</c>: a fresh, seeded Llama-family checkpoint from a preset or a config.json.</summary>
public static class InitModelCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = $"preset ({string.Join(", ", ModelConfig.PresetNames)}) or path to a Hugging Face config.json", Required = true };
        var tokenizer = new Option<DirectoryInfo>("--tokenizer") { Description = "directory with tokenizer.json (+ tokenizer_config.json) or GPT-2's encoder.json + vocab.bpe; sets the vocabulary size and, where the config names none, bos and eos ids; its files are copied into the checkpoint", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "checkpoint directory to write (new or empty)", Required = true };
        var seed = new Option<long>("--seed") { Description = "initialisation seed", DefaultValueFactory = _ => 0 };
        var command = new Command("init-model", "Create a fresh Llama-family checkpoint (Hugging Face layout)") { config, tokenizer, output, seed };
        command.SetAction(parse =>
        {
            var spec = parse.GetRequiredValue(config);
            var outDir = parse.GetRequiredValue(output).FullName;
            var written = ModelCheckpoint.Initialize(vocabulary => ModelConfig.PresetNames.Contains(spec) ? ModelConfig.Preset(spec, vocabulary) : ModelConfig.LoadForNewModel(spec, vocabulary),
                parse.GetRequiredValue(tokenizer).FullName, parse.GetValue(seed), outDir);
            Console.WriteLine($"wrote {outDir}: {written.Architecture}, {written.ParameterCount / 1e6:F1}M parameters, vocab {written.VocabSize}");
        });
        return command;
    }
}
