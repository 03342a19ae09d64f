using PoFT.Checkpoints;
using TorchSharp.Modules;

namespace PoFT.Trainer.Model.Lora;

/// <summary>The adapter attached to a model (<see cref="LlamaForCausalLM.AttachLora"/>): its options, the base
/// it was trained on, its dropout, and the wrapped projections by their names in the model.</summary>
public sealed class LoraAdapter(LoraOptions options, string baseModel, LoraDropout dropout, IReadOnlyList<(string Name, LoraLinear Module)> modules)
{
    /// <summary>What PEFT puts before a module's name in the saved state dict (a PeftModel around the
    /// transformers model).</summary>
    public const string PeftPrefix = "base_model.model.";

    public LoraOptions Options { get; } = options;

    /// <summary>Absolute path of the base checkpoint.</summary>
    public string BaseModel { get; } = baseModel;

    private readonly Lazy<string> _baseSha256 = new(() => BaseFingerprint.Of(baseModel));

    /// <summary>The base's content hash (<see cref="BaseFingerprint"/>), recorded with every saved adapter; computed at
    /// the first save, once per process.</summary>
    public string BaseSha256 => _baseSha256.Value;

    public LoraDropout Dropout { get; } = dropout;

    /// <summary>Wrapped projections, named as in the model's state dict (<c>model.layers.0.self_attn.q_proj</c>).</summary>
    public IReadOnlyList<(string Name, LoraLinear Module)> Modules { get; } = modules;

    /// <summary>The trainable weights with the names PEFT saves them under (the adapter's name left out).</summary>
    public IEnumerable<(string Name, Parameter Weight)> Weights => Modules.SelectMany(m => new[]
    {
        ($"{PeftPrefix}{m.Name}.lora_A.weight", m.Module.LoraA),
        ($"{PeftPrefix}{m.Name}.lora_B.weight", m.Module.LoraB),
    });
}
