using PoFT.Checkpoints;
using PoFT.Text.Tokenizers;
using PoFT.Trainer.Model.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace PoFT.Trainer.Model;

/// <summary>Moves weights between a <see cref="LlamaForCausalLM"/> and a Hugging Face checkpoint directory, or
/// a LoRA adapter's directory (<see cref="LoraCheckpoint"/>) for a model with an adapter attached.</summary>
public static class ModelCheckpoint
{
    /// <summary>A whole model, or the base a LoRA adapter names with the adapter attached (unmerged).</summary>
    public static LlamaForCausalLM Load(string directory, Placement placement) =>
        Checkpoint.IsAdapter(directory) ? LoraCheckpoint.Load(directory, placement) : LoadWhole(directory, placement);

    /// <summary>The model a new run starts from: the whole model in <paramref name="source"/>, with a fresh
    /// adapter drawn from <paramref name="seed"/> when <paramref name="lora"/> is set (the base then in the
    /// dtype <see cref="Placement.For"/> gives); full fine-tuning in bf16 gets its fp32 master copy
    /// (<see cref="MasterWeights"/>) from the checkpoint's values before the cast rounds them.</summary>
    public static LlamaForCausalLM LoadForTraining(string source, Placement placement, LoraOptions? lora, long seed)
    {
        lora?.Validate();
        var model = LoadWhole(source, placement.For(lora), withMaster: lora is null);
        if (lora is not null)
            model.AttachLora(lora, Path.GetFullPath(source), seed);
        return model;
    }

    /// <summary>Gives a model about to be trained the fp32 master copy it needs (<see cref="MasterWeights.Needed"/>)
    /// where it has none: from the fp32 weights saved in <paramref name="checkpointDirectory"/> (a resumed run's
    /// checkpoint, which holds the master), else from the model's own values.</summary>
    public static void AttachMaster(LlamaForCausalLM model, string? checkpointDirectory)
    {
        if (model.Master is not null || !MasterWeights.Needed(model))
            return;
        if (checkpointDirectory is null || Checkpoint.IsAdapter(checkpointDirectory))
        {
            model.Master = MasterWeights.Of(model);
            return;
        }
        using var checkpoint = Checkpoint.Open(checkpointDirectory);
        var values = Float32Values(checkpoint);
        try
        {
            model.Master = MasterWeights.Of(model, values);
        }
        finally
        {
            foreach (var value in values.Values)
                value.Dispose();
        }
    }

    /// <param name="withMaster">Keep the fp32 values as the model's master copy where the placement's dtype is
    /// narrower (a model about to be fully fine-tuned).</param>
    internal static LlamaForCausalLM LoadWhole(string directory, Placement placement, bool withMaster = false)
    {
        using var checkpoint = Checkpoint.Open(directory);
        var model = new LlamaForCausalLM(checkpoint.Config);
        var state = model.state_dict();
        using (no_grad())
        {
            foreach (var spec in ExpectedTensors.Model(checkpoint.Config))
            {
                using var values = tensor(checkpoint.ReadFloat32(spec.Name)).reshape(spec.Shape);
                state[spec.Name].copy_(values);
            }
        }
        model.to(placement.Device);
        if (!withMaster || placement.DType == ScalarType.Float32)
            return model.to(placement.DType);
        // The fp32 values, taken before the cast replaces the parameters with rounded ones.
        var fp32 = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        try
        {
            model.to(placement.DType);
            model.Master = MasterWeights.Of(model, fp32);
            return model;
        }
        finally
        {
            foreach (var value in fp32.Values)
                value.Dispose();
        }
    }

    /// <summary>Every weight of the checkpoint as an fp32 CPU tensor, by its name in the model.</summary>
    private static Dictionary<string, Tensor> Float32Values(Checkpoint checkpoint) =>
        ExpectedTensors.Model(checkpoint.Config).ToDictionary(spec => spec.Name, spec => tensor(checkpoint.ReadFloat32(spec.Name)).reshape(spec.Shape));

    /// <summary>
    /// A fresh, seeded checkpoint for a tokenizer (<c>init-model</c>, the experiment's new models):
    /// <paramref name="configFor"/> gets the tokenizer's id space; bos and eos ids come from the tokenizer
    /// where the config names none; the tokenizer files are copied in.
    /// </summary>
    /// <exception cref="IOException"><paramref name="output"/> exists and is not empty: a checkpoint is never
    /// written over something else.</exception>
    public static ModelConfig Initialize(Func<int, ModelConfig> configFor, string tokenizerDirectory, long seed, string output)
    {
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new IOException($"{output} already exists and is not empty; choose a new directory for the checkpoint");
        var tokenizer = TokenizerLoader.LoadFromModelDirectory(tokenizerDirectory);
        var vocabulary = tokenizer.VocabularySize ?? throw new InvalidOperationException($"{tokenizer.Source}: id space size unknown");
        var config = configFor(vocabulary);
        if (config.VocabSize < vocabulary)
            throw new ArgumentException($"vocab_size {config.VocabSize} is smaller than the tokenizer's {vocabulary} ids ({tokenizer.Source})");
        config = config with
        {
            BosTokenId = config.BosTokenId ?? tokenizer.Bos?.Id,
            EosTokenIds = config.EosTokenIds.Count > 0 ? config.EosTokenIds : tokenizer.Eos is { } eos ? [eos.Id] : [],
        };
        using var model = CreateFresh(config, seed);
        Save(model, output, tokenizerDirectory);
        return config;
    }

    /// <summary>Writes the model's weights (in its current dtype: F32 or BF16; F32 from the master copy where the
    /// model has one, so that nothing trained is rounded away between training, resume and export) with
    /// config.json and the tokenizer files of <paramref name="tokenizerDirectory"/>; for a model with a LoRA
    /// adapter, the adapter alone (<see cref="LoraCheckpoint.Save"/>).</summary>
    public static void Save(LlamaForCausalLM model, string directory, string? tokenizerDirectory, long maxShardBytes = 4L << 30,
        Action<string>? writeExtra = null)
    {
        if (model.Lora is not null)
        {
            LoraCheckpoint.Save(model, directory, tokenizerDirectory, writeExtra);
            return;
        }
        var state = model.state_dict();
        var master = model.Master?.Values;
        var specs = ExpectedTensors.Model(model.Config);
        var bf16 = master is null && state[specs[0].Name].dtype == ScalarType.BFloat16;
        var tensors = specs.Select(spec => ToTensorData(spec.Name, master?.GetValueOrDefault(spec.Name) ?? state[spec.Name], bf16)).ToList();
        var config = model.Config with { TorchDtype = bf16 ? "bfloat16" : "float32" };
        Checkpoint.Save(directory, config, tensors, tokenizerDirectory, maxShardBytes, writeExtra);
    }

    /// <summary>A fresh model with the usual Llama initialisation (normal(0, 0.02) weights, identity norms,
    /// zero biases), identical for the same config and seed. Gemma's norms scale by (1 + w): identity is w = 0.</summary>
    public static LlamaForCausalLM CreateFresh(ModelConfig config, long seed)
    {
        manual_seed(seed);
        var model = new LlamaForCausalLM(config);
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                    parameter.fill_(config.IsGemma ? 0.0 : 1.0);
                else if (name.EndsWith(".bias", StringComparison.Ordinal))
                    parameter.zero_();
                else
                    parameter.normal_(0.0, 0.02);
            }
        }
        return model;
    }

    private static TensorData ToTensorData(string name, Tensor value, bool bf16)
    {
        using var cpu = value.detach().cpu().to(bf16 ? ScalarType.BFloat16 : ScalarType.Float32).contiguous();
        var bytes = cpu.bytes.ToArray();
        return new TensorData(name, bf16 ? SafetensorsDType.BF16 : SafetensorsDType.F32, cpu.shape, bytes);
    }
}
