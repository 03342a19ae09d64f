using PoFT.Exporter.Onnx.Proto;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter.Contract;

/// <summary>The element type of every value of a graph, propagated node by node (the exporter writes nodes in
/// topological order) with the rules of the ops it emits: what <see cref="ProviderContract"/> needs to look up a
/// node's kernel, without ONNX's full shape inference.</summary>
internal static class GraphTypes
{
    private static readonly HashSet<string> Comparisons = ["Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Not"];

    public static Dictionary<string, DataType> Infer(GraphProto graph)
    {
        var types = new Dictionary<string, DataType>(StringComparer.Ordinal);
        foreach (var value in graph.Input)
            types[value.Name] = (DataType)value.Type.TensorType.ElemType;
        foreach (var initializer in graph.Initializer)
            types[initializer.Name] = (DataType)initializer.DataType;
        foreach (var node in graph.Node)
            if (Output(node, types) is { } type)
                foreach (var output in node.Output.Where(o => o.Length > 0))
                    types[output] = type;
        return types;
    }

    /// <summary>The type of the node's outputs (all of one type for the ops emitted here), or null when unknown.</summary>
    private static DataType? Output(NodeProto node, Dictionary<string, DataType> types)
    {
        if (node.OpType == "Cast")
            return (DataType)node.Attribute.Single(a => a.Name == "to").I;
        if (node.OpType is "Shape" or "NonZero" or "Size" or "ArgMax" or "ArgMin")
            return DataType.Int64;
        if (Comparisons.Contains(node.OpType))
            return DataType.Bool;
        var from = node.OpType == "Where" ? 1 : 0;
        return node.Input.Count > from && types.TryGetValue(node.Input[from], out var type) ? type : null;
    }
}
