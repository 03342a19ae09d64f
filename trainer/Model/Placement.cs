using System.Globalization;
using PoFT.Shared;
using PoFT.Shared.Training;
using PoFT.Trainer.Model.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace PoFT.Trainer.Model;

/// <summary>
/// Where the target model lives and in which dtype: the one place the precision policy is decided.
/// <list type="bullet">
/// <item>CPU runs fp32 by default (CPU bf16 matmuls are slower and less exact); CUDA computes in bf16, as the
/// paper trains. <see cref="DType"/> is the dtype the model's weights are held in and its matmuls run in.</item>
/// <item>RMSNorm, the rotary embedding, the log-softmax and the loss are always computed in fp32, inside the model
/// and the objective, whatever <see cref="DType"/>.</item>
/// <item>Full fine-tuning in bf16 keeps an fp32 master copy of every trained weight (<see cref="MasterWeights"/>):
/// the model's bf16 weights run the forward and backward passes, their gradients are cast to fp32 onto the
/// master, AdamW steps the master (its moments are fp32), and the bf16 weights are refreshed from it, rounded to
/// nearest. Checkpoints, step and final, save the master in fp32, so nothing trained is rounded away between
/// training, resume (which restores the master from them) and export (which casts as asked). The planner counts
/// the copy (planner/TrainerMemory.cs). Without it, updates at the paper's lr 1e-6 fall below half a bf16 ulp
/// and vanish (issue 26; tests/Trainer/Bf16TrainingTests.cs).</item>
/// <item>With LoRA the frozen base is held and computed in <c>training.lora.base_dtype</c> where that is set
/// (bfloat16 on either device saves half the base's memory), else in the run's dtype (<see cref="For"/>); the
/// trainable adapter weights, their gradients and their AdamW state are always fp32, and the adapter's product
/// is cast to the base's dtype only where it is added to the projection's output.</item>
/// </list>
/// </summary>
public sealed record Placement(Device Device, ScalarType DType)
{
    public static Placement Cpu { get; } = new(CPU, ScalarType.Float32);

    /// <summary>The placement a run on <paramref name="device"/> gets, checked against this machine.</summary>
    /// <param name="device">"cpu", "cuda" or "cuda:N".</param>
    /// <param name="dtype">The run's <c>dtype</c>, a <see cref="ComputeDtype"/> name; null picks the device's default.</param>
    public static Placement Resolve(string device, string? dtype = null)
    {
        if (IsCuda(device) && !cuda.is_available())
            throw new PoftUserException($"device '{device}' requested but CUDA is not available to TorchSharp " +
                "(this build uses libtorch-cpu; build with POFT_GPU=1 on a machine with CUDA)");
        return Of(device, dtype is null ? null : ComputeDtypes.Parse(dtype, "dtype"));
    }

    /// <summary>The placement a run on <paramref name="device"/> would get, whether or not this machine has the
    /// device: what <c>plan</c> sizes. <paramref name="dtype"/> null picks the device's default.</summary>
    public static Placement Of(string device, ComputeDtype? dtype = null)
    {
        var isCuda = device == "cuda" || (IsCuda(device) && device[4] == ':' && int.TryParse(device[5..], NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (!isCuda && device != "cpu")
            throw new PoftUserException($"unknown device '{device}'; expected cpu, cuda or cuda:N");
        return new Placement(new Device(device), TorchDtype(dtype ?? (isCuda ? ComputeDtype.BFloat16 : ComputeDtype.Float32)));
    }

    /// <summary>The placement of a run with <paramref name="lora"/> (null: full fine-tuning, this one): the frozen
    /// base in the adapter's <c>base_dtype</c> where it names one.</summary>
    public Placement For(LoraOptions? lora) =>
        lora?.BaseDtype is { } baseDtype ? this with { DType = TorchDtype(ComputeDtypes.Parse(baseDtype, LoraOptions.BaseDtypeField)) } : this;

    private static bool IsCuda(string device) => device.StartsWith("cuda", StringComparison.Ordinal);

    private static ScalarType TorchDtype(ComputeDtype dtype) => dtype switch
    {
        ComputeDtype.Float32 => ScalarType.Float32,
        ComputeDtype.BFloat16 => ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
