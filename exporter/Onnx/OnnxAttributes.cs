using PoFT.Exporter.Onnx.Proto;

namespace PoFT.Exporter.Onnx;

/// <summary>Typed constructors for node attributes; the IR requires <c>type</c> to match the field set.</summary>
public static class OnnxAttributes
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
