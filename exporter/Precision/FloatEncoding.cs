using System.Runtime.InteropServices;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter.Precision;

/// <summary>fp32 values as the little-endian bytes of an ONNX tensor of element type fp32, fp16 or bf16.</summary>
public static class FloatEncoding
{
    public static byte[] Encode(float[] values, DataType type) => type switch
    {
        DataType.Float => MemoryMarshal.AsBytes<float>(values).ToArray(),
        DataType.Float16 => MemoryMarshal.AsBytes<Half>(Array.ConvertAll(values, v => (Half)v)).ToArray(),
        DataType.Bfloat16 => MemoryMarshal.AsBytes<ushort>(Array.ConvertAll(values, ToBfloat16)).ToArray(),
        _ => throw new ArgumentException($"{type} is not a floating-point weight type"),
    };

    /// <summary>bf16 is fp32's upper half; rounded to nearest even as PyTorch's <c>.to(torch.bfloat16)</c>
    /// rounds, not truncated (truncation biases every weight towards 0). NaN stays a quiet NaN.</summary>
    public static ushort ToBfloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (ushort)((bits >> 16) | 0x0040);
        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float FromBfloat16(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);
}
