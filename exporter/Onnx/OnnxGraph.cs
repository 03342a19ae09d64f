using System.Globalization;
using System.Runtime.InteropServices;
using PoFT.Exporter.Onnx.Proto;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter.Onnx;

/// <summary>
/// Builds an ONNX graph: nodes, graph inputs/outputs and (lazily materialised) initializers. Every value
/// name is unique, derived from a readable hint; small constants are shared rather than repeated.
/// </summary>
public sealed class OnnxGraph
{
    private readonly GraphProto _proto;
    private readonly List<OnnxInitializer> _initializers = [];
    private readonly Dictionary<string, int> _uses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);

    public OnnxGraph(string name) => _proto = new GraphProto { Name = name };

    /// <summary>The nodes, inputs and outputs; initializers are kept apart until written.</summary>
    public GraphProto Proto => _proto;
    public IReadOnlyList<OnnxInitializer> Initializers => _initializers;

    public string UniqueName(string hint)
    {
        var uses = _uses.GetValueOrDefault(hint);
        _uses[hint] = uses + 1;
        return uses == 0 ? hint : $"{hint}_{uses}";
    }

    public string AddInitializer(string hint, long[] dims, Func<float[]> values) => AddInitializer(hint, DataType.Float, dims, values);

    /// <summary>An fp32, fp16 or bf16 initializer from fp32 values, encoded slice by slice as it is written.</summary>
    public string AddInitializer(string hint, DataType type, long[] dims, Func<float[]> values) =>
        Add(hint, type, dims, target => FloatEncoding.Write(target, values(), type));

    /// <summary>An initializer of any element type (uint8 …) from its little-endian bytes, produced only when
    /// the model is written.</summary>
    public string AddInitializer(string hint, DataType type, long[] dims, Func<byte[]> bytes) =>
        Add(hint, type, dims, target => target.Write(bytes()));

    private string Add(string hint, DataType type, long[] dims, Action<Stream> write)
    {
        var name = UniqueName(hint);
        _initializers.Add(new OnnxInitializer(name, type, dims, write));
        return name;
    }

    /// <summary>A 1-D int64 constant (shapes, axes, split sizes); equal ones are shared.</summary>
    public string Int64s(params long[] values) =>
        Constant($"i64[{string.Join(",", values)}]", () => AddInitializer("const_i64", DataType.Int64, [values.Length],
            () => MemoryMarshal.AsBytes<long>(values).ToArray()));

    public string Int64Scalar(long value) =>
        Constant($"i64 {value}", () => AddInitializer("const_i64", DataType.Int64, [],
            () => BitConverter.GetBytes(value)));

    public string FloatScalar(float value) =>
        Constant($"f32 {value.ToString("R", CultureInfo.InvariantCulture)}", () => AddInitializer("const_f32", DataType.Float, [],
            () => BitConverter.GetBytes(value)));

    private string Constant(string key, Func<string> add)
    {
        if (!_constants.TryGetValue(key, out var name))
            _constants[key] = name = add();
        return name;
    }

    /// <summary>Adds a single-output node and returns the name of its output.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string outputHint, params AttributeProto[] attributes) =>
        Node(opType, inputs, [outputHint], attributes)[0];

    /// <summary>Adds a node with one output per hint; <paramref name="domain"/> "" is the default ONNX domain.</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputHints,
        IEnumerable<AttributeProto> attributes, string domain = "")
    {
        var outputs = outputHints.Select(UniqueName).ToArray();
        var node = new NodeProto { OpType = opType, Name = UniqueName($"{opType}_node") };
        if (domain.Length > 0)
            node.Domain = domain;
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _proto.Node.Add(node);
        return outputs;
    }

    /// <summary>Declares a graph input under exactly <paramref name="name"/>, which must not be taken yet.</summary>
    public string AddInput(string name, DataType type, params OnnxDim[] dims)
    {
        if (UniqueName(name) != name)
            throw new InvalidOperationException($"graph input name '{name}' is already in use");
        _proto.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    public void AddOutput(string name, DataType type, params OnnxDim[] dims) => _proto.Output.Add(ValueInfo(name, type, dims));

    private static ValueInfoProto ValueInfo(string name, DataType type, OnnxDim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim.Param is { } param ? new TensorShapeProto.Types.Dimension { DimParam = param }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Value ?? 0 });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
