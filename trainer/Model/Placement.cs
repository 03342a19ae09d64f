using TorchSharp;
using static TorchSharp.torch;

namespace PoFT.Trainer.Model;

/// <summary>
/// Where the target model lives and in which dtype: the one place these are decided. CPU runs fp32
/// (CPU bf16 matmuls are slower and less exact); CUDA runs bf16, as the paper trains. Log-softmax and
/// RMSNorm are always computed in fp32 inside the model.
/// </summary>
public sealed record Placement(Device Device, ScalarType DType)
{
    public static Placement Cpu { get; } = new(CPU, ScalarType.Float32);

    /// <param name="device">"cpu", "cuda" or "cuda:N".</param>
    /// <param name="dtype">"float32" or "bfloat16"; null picks the device's default.</param>
    public static Placement Resolve(string device, string? dtype = null)
    {
        var isCuda = device.StartsWith("cuda", StringComparison.Ordinal);
        if (isCuda && !cuda.is_available())
            throw new InvalidOperationException($"device '{device}' requested but CUDA is not available to TorchSharp " +
                "(this build uses libtorch-cpu; build with POFT_GPU=1 on a machine with CUDA)");
        if (!isCuda && device != "cpu")
            throw new ArgumentException($"unknown device '{device}'; expected cpu, cuda or cuda:N");
        var scalar = (dtype ?? (isCuda ? "bfloat16" : "float32")) switch
        {
            "float32" or "fp32" => ScalarType.Float32,
            "bfloat16" or "bf16" => ScalarType.BFloat16,
            var other => throw new ArgumentException($"unknown dtype '{other}'; expected float32 or bfloat16"),
        };
        return new Placement(new Device(device), scalar);
    }
}
