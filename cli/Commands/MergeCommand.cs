using System.CommandLine;
using PoFT.Trainer.Model.Lora;

namespace PoFT.Cli.Commands;

/// <summary><c>merge</c>: a LoRA checkpoint folded into its base as a whole Hugging Face checkpoint.</summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var adapter = new Option<DirectoryInfo>("--adapter") { Description = "a LoRA run's checkpoint (adapter_config.json + adapter_model.safetensors)", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "directory for the merged checkpoint (new or empty)", Required = true };
        var baseModel = new Option<DirectoryInfo>("--base") { Description = "the base checkpoint, where it is no longer at the adapter's base_model_name_or_path" };
        var command = new Command("merge", "Merge a LoRA adapter into its base: W + (alpha/r)·B·A, in the base's dtype") { adapter, output, baseModel };
        command.SetAction(parse =>
        {
            var target = parse.GetRequiredValue(output).FullName;
            var merged = LoraMerge.Merge(parse.GetRequiredValue(adapter).FullName, target, parse.GetValue(baseModel)?.FullName);
            Console.WriteLine($"wrote {target}: {merged} with the adapter merged in");
        });
        return command;
    }
}
