using System.CommandLine;
using PoFT.Generation;
using PoFT.Shared;
using PoFT.Shared.Manifest;
using PoFT.Trainer.Model;

namespace PoFT.Cli.Commands;

/// <summary>The options <c>generate</c> and <c>chat</c> share: the checkpoint, its template, the device and sampling.</summary>
public sealed class GenerationOptions
{
    private readonly Option<DirectoryInfo> _checkpoint = new("--checkpoint") { Description = "a checkpoint directory (a run's final/ or step folder, a LoRA run's adapter, any Hugging Face Llama-family checkpoint)", Required = true };
    private readonly Option<string> _template = new("--template") { Description = "the chat template, where the checkpoint carries none: a family (llama3, chatml, zephyr, mistral-inst, plain) or a .jinja file" };
    private readonly Option<string> _device = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
    private readonly Option<int> _maxNewTokens = new("--max-new-tokens") { Description = "the answer stops after this many tokens", DefaultValueFactory = _ => 256 };
    private readonly Option<double> _temperature = new("--temperature") { Description = "0: greedy; above: sample from softmax(logits / T)", DefaultValueFactory = _ => 0 };
    private readonly Option<double> _topP = new("--top-p") { Description = "sample among the most likely tokens whose probabilities reach P together", DefaultValueFactory = _ => 1 };
    private readonly Option<long> _seed = new("--seed") { Description = "seed of the sampler (the same seed gives the same answer)", DefaultValueFactory = _ => 0 };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _checkpoint, _template, _device, _maxNewTokens, _temperature, _topP, _seed })
            command.Options.Add(option);
    }

    public SamplingOptions Sampling(ParseResult parse) =>
        new SamplingOptions(parse.GetValue(_temperature), parse.GetValue(_topP), parse.GetValue(_seed), parse.GetValue(_maxNewTokens)).Validated();

    public CheckpointChat Open(ParseResult parse)
    {
        var checkpoint = parse.GetRequiredValue(_checkpoint);
        if (!checkpoint.Exists)
            throw new PoftUserException($"--checkpoint {checkpoint.FullName}: no such directory");
        return CheckpointChat.Open(checkpoint.FullName, Placement.Resolve(parse.GetValue(_device)!), Template(parse.GetValue(_template)));
    }

    private static ChatTemplateSpec? Template(string? value)
    {
        if (value is null)
            return null;
        string[] presets = [ChatTemplateSpec.Llama3, ChatTemplateSpec.ChatMl, ChatTemplateSpec.Zephyr, ChatTemplateSpec.MistralInst, ChatTemplateSpec.Plain];
        if (presets.Contains(value))
            return new ChatTemplateSpec(value);
        return File.Exists(value) ? new ChatTemplateSpec(ChatTemplateSpec.JinjaFile, Jinja: Path.GetFullPath(value))
            : throw new PoftUserException($"--template {value}: neither a family ({string.Join(", ", presets)}) nor a template file");
    }
}
