using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PoFT.Trainer.Model;

/// <summary>
/// fp32 master copies of the weights that full fine-tuning trains when the model computes in a narrower dtype
/// (<see cref="Placement"/>: bf16 on CUDA, or <c>dtype: bfloat16</c>). The model's bf16 weights are what the
/// forward and backward passes use; each step their gradients are cast to fp32 onto the master
/// (<see cref="TakeGradients"/>), AdamW steps the master (so its moments are fp32 too), and the bf16 weights are
/// refreshed from it (<see cref="Refresh"/>).
/// <para>Why a master copy and not compensated summation (a bf16 weight plus a bf16 error term, Kahan style):
/// the master also keeps AdamW's moments and its weight decay in fp32 without a custom optimizer, its
/// arithmetic is exactly the fp32 run's given the same gradients, and a checkpoint of it is an ordinary fp32
/// checkpoint. Its cost, 4 bytes a parameter (against 2 for the error term), is counted by the planner
/// (planner/TrainerMemory.cs). Without it, at lr 1e-6 an update (~1e-6) is far below half a bf16 ulp of a
/// weight of 0.02 (2⁻¹⁴ ≈ 6e-5) and rounds away: on the tiny Llama, 8 CE steps changed 1.7 % of the
/// parameters (issue 26).</para>
/// </summary>
public sealed class MasterWeights : IDisposable
{
    private readonly List<(string Name, Parameter Model, Parameter Master)> _weights;

    private MasterWeights(List<(string, Parameter, Parameter)> weights) => _weights = weights;

    /// <summary>Whether training <paramref name="model"/> needs a master copy: some weight it trains is held in
    /// a dtype other than fp32 (full fine-tuning in bf16; LoRA's adapters are fp32 and need none).</summary>
    public static bool Needed(LlamaForCausalLM model) =>
        model.parameters().Any(p => p.requires_grad && p.dtype != ScalarType.Float32);

    /// <summary>The master copy of <paramref name="model"/>'s trained weights.</summary>
    /// <param name="fp32Values">Each weight's fp32 value by its name in the model (a checkpoint's, before the
    /// cast to bf16 rounded it); null takes the model's own values.</param>
    public static MasterWeights Of(LlamaForCausalLM model, IReadOnlyDictionary<string, Tensor>? fp32Values = null)
    {
        using var _ = no_grad();
        var weights = new List<(string, Parameter, Parameter)>();
        foreach (var (name, parameter) in model.named_parameters().Where(p => p.parameter.requires_grad))
        {
            var value = fp32Values is null ? parameter.detach() : fp32Values.TryGetValue(name, out var v) ? v
                : throw new InvalidOperationException($"no fp32 value for '{name}' to start its master copy from");
            var master = new Parameter(value.to(ScalarType.Float32, parameter.device, copy: true), requires_grad: true);
            if (fp32Values is not null)
                parameter.copy_(master);
            weights.Add((name, parameter, master));
        }
        return new MasterWeights(weights);
    }

    /// <summary>What the optimizer steps and clipping measures: the fp32 copies, in the model's order (so the
    /// optimizer state a checkpoint saves is the same whichever dtype resumes it).</summary>
    public IEnumerable<Parameter> Parameters => _weights.Select(w => w.Master);

    /// <summary>The fp32 value of each trained weight by its name in the model: what a checkpoint saves.</summary>
    public IReadOnlyDictionary<string, Tensor> Values => _weights.ToDictionary(w => w.Name, w => (Tensor)w.Master);

    /// <summary>Moves the backward pass's gradients onto the master, cast to fp32; the model's go, so only one
    /// set is held through the update.</summary>
    public void TakeGradients()
    {
        using var _ = no_grad();
        foreach (var (_, model, master) in _weights)
        {
            // Each handle is disposed at once: the grad getter and the cast return new handles whose native
            // tensors the garbage collector, blind to their size, would otherwise keep alive step after step.
            using var gradient = model.grad;
            // A weight no backward pass reached keeps no gradient, and AdamW skips it, as in an fp32 run.
            if (gradient is null)
                continue;
            using var fp32 = gradient.to(ScalarType.Float32, copy: true);
            master.grad = fp32;
            model.grad = null;
        }
    }

    /// <summary>After the update: the model's bf16 weights become the master's values, rounded to nearest; the
    /// master's gradients are dropped until the next step's.</summary>
    public void Refresh()
    {
        using var _ = no_grad();
        foreach (var (_, model, master) in _weights)
        {
            model.copy_(master);
            master.grad = null;
        }
    }

    public void Dispose()
    {
        foreach (var (_, _, master) in _weights)
            master.Dispose();
        _weights.Clear();
    }
}
