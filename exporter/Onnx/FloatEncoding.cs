using System.Buffers;
using System.Runtime.InteropServices;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter.Onnx;

/// <summary>fp32 values written as the little-endian bytes of an ONNX tensor of element type fp32, fp16 or bf16.</summary>
public static class FloatEncoding
{
    // Values encoded per write: one bounded buffer however large the tensor (a 7B model's fp32 embedding is
    // more bytes than one .NET array holds).
    private const int SliceValues = 1 << 24;

    public static void Write(Stream target, float[] values, DataType type)
    {
        if (type is not (DataType.Float or DataType.Float16 or DataType.Bfloat16))
            throw new ArgumentException($"{type} is not a floating-point weight type");
        if (type == DataType.Float)
        {
            for (long start = 0; start < values.Length; start += SliceValues)
                target.Write(MemoryMarshal.AsBytes(values.AsSpan((int)start, (int)Math.Min(SliceValues, values.Length - start))));
            return;
        }
        var buffer = ArrayPool<ushort>.Shared.Rent((int)Math.Min(SliceValues, values.Length));
        try
        {
            for (long start = 0; start < values.Length; start += SliceValues)
            {
                var slice = values.AsSpan((int)start, (int)Math.Min(SliceValues, values.Length - start));
                for (var i = 0; i < slice.Length; i++)
                    buffer[i] = type == DataType.Float16 ? BitConverter.HalfToUInt16Bits((Half)slice[i]) : ToBfloat16(slice[i]);
                target.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, slice.Length)));
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(buffer);
        }
    }

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
