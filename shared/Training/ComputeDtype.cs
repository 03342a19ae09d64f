namespace PoFT.Shared.Training;

/// <summary>
/// The dtypes a model can be held and computed in for training: a run's <c>dtype</c>, a LoRA base's
/// <c>base_dtype</c>, the planner's <c>--dtype</c>, and the two an export shares with them (the exporter's
/// <c>--dtype fp32|bf16</c> names the same element type for ONNX Runtime's matmuls).
/// Not here: fp16, which the exporter alone offers (TorchSharp training in fp16 would need loss scaling, which the
/// trainer does not do), the exporter's int8/int4 weight quantization, and a checkpoint's <c>torch_dtype</c>,
/// which says what a file stores ("float16", "half"), not what a run computes in.
/// </summary>
public enum ComputeDtype { Float32, BFloat16 }

/// <summary>The one parse of the <see cref="ComputeDtype"/> names: each dtype's name and its short alias.</summary>
public static class ComputeDtypes
{
    /// <summary>The accepted values as an error message lists them.</summary>
    public const string Expected = "float32 or bfloat16";

    public static bool TryParse(string text, out ComputeDtype dtype)
    {
        (var known, dtype) = text switch
        {
            "float32" or "fp32" => (true, ComputeDtype.Float32),
            "bfloat16" or "bf16" => (true, ComputeDtype.BFloat16),
            _ => (false, default),
        };
        return known;
    }

    /// <param name="field">The flag or config field the text came from, as the user wrote it (<c>--dtype</c>).</param>
    /// <exception cref="PoftUserException">The text names no compute dtype; the message names the field and the accepted values.</exception>
    public static ComputeDtype Parse(string text, string field) =>
        TryParse(text, out var dtype) ? dtype : throw new PoftUserException($"{field} '{text}': expected {Expected}");
}
