using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PoFT.Trainer.Model.Lora;

#pragma warning disable IDE1006 // snake_case fields: they are the checkpoint's and PEFT's tensor names

/// <summary>
/// A frozen linear projection with a trainable low-rank update: y = x·Wᵀ (+ b) + dropout(x)·Aᵀ·Bᵀ·scaling.
/// It keeps the projection's parameters under their own names (<c>weight</c>, <c>bias</c>), so the base
/// model's state-dict names are unchanged, and adds <c>lora_A</c> [r, in] and <c>lora_B</c> [out, r] as PEFT
/// names them. The adapter is fp32 whatever the base's dtype, so its updates and AdamW state are not rounded
/// to bf16.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly LoraFactor lora_A, lora_B;
    private readonly LoraDropout _dropout;
    private readonly int _index;
    private readonly double _scaling;

    /// <param name="index">This projection's place among the model's adapters, which its dropout mask is seeded by.</param>
    /// <param name="initialisation">Draws A as PEFT does, kaiming-uniform with a = √5, whose bound is 1/√in; B starts
    /// at zero, so a fresh adapter leaves the model's output unchanged.</param>
    public LoraLinear(Linear frozen, int r, double scaling, LoraDropout dropout, int index, Generator initialisation) : base(nameof(LoraLinear))
    {
        weight = frozen.weight!;
        bias = frozen.bias;
        weight.requires_grad = false;
        if (bias is not null)
            bias.requires_grad = false;
        var (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1]);
        // Drawn on the CPU from the caller's generator, then moved: the same seed gives the same adapter on any
        // device, and the process-wide generator is left alone.
        var bound = 1 / Math.Sqrt(inFeatures);
        lora_A = new LoraFactor(empty(r, inFeatures).uniform_(-bound, bound, initialisation), weight.device);
        lora_B = new LoraFactor(zeros(outFeatures, r), weight.device);
        _dropout = dropout;
        _index = index;
        _scaling = scaling;
        RegisterComponents();
    }

    public Parameter LoraA => lora_A.weight;
    public Parameter LoraB => lora_B.weight;

    public override Tensor forward(Tensor x)
    {
        var y = F.linear(x, weight, bias);
        var h = x.to(ScalarType.Float32);
        if (training)
            h = _dropout.Apply(h, _index);
        var update = F.linear(F.linear(h, lora_A.weight), lora_B.weight) * _scaling;
        return y + update.to(y.dtype);
    }

    /// <summary>A plain projection holding W + scaling·B·A (computed in fp32, stored in W's dtype) and the bias,
    /// frozen like the rest of the base.</summary>
    public Linear Merged()
    {
        using var _ = no_grad();
        using var delta = matmul(lora_B.weight, lora_A.weight);
        var sum = weight.to(ScalarType.Float32, copy: true).add_(delta, alpha: _scaling);
        return nn.Linear(nn.Parameter(sum.to(weight.dtype), requires_grad: false),
            bias is null ? null : nn.Parameter(bias.detach().clone(), requires_grad: false));
    }
}

/// <summary>One of the adapter's two matrices, a module of its own so that its state-dict name is PEFT's
/// (<c>lora_A.weight</c>); always fp32.</summary>
internal sealed class LoraFactor : nn.Module
{
    public readonly Parameter weight;

    public LoraFactor(Tensor values, Device device) : base(nameof(LoraFactor))
    {
        weight = nn.Parameter(values.to(ScalarType.Float32, device));
        RegisterComponents();
    }
}
#pragma warning restore IDE1006
