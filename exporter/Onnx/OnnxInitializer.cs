using PoFT.Exporter.Onnx.Proto;

namespace PoFT.Exporter.Onnx;

/// <summary>A graph initializer whose bytes (little-endian, row-major) are produced only when the model is
/// written, one tensor at a time and straight into the file, so exporting a large checkpoint never holds all
/// its weights at once, nor one tensor's bytes as one array.</summary>
public sealed record OnnxInitializer(string Name, TensorProto.Types.DataType DataType, long[] Dims, Action<Stream> WriteBytes)
{
    public long ByteLength => Dims.Aggregate(1L, (a, b) => a * b) * ElementSize(DataType);

    private static int ElementSize(TensorProto.Types.DataType type) => type switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 => 4,
        TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Double => 8,
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => 2,
        TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 => 1,
        _ => throw new ArgumentException($"no fixed element size for {type}"),
    };
}
