using PoFT.Exporter.Onnx;
using PoFT.Exporter.Onnx.Proto;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter.Contract;

/// <summary>One node a provider would refuse or run elsewhere, and why.</summary>
public sealed record ContractViolation(string Node, string Op, string Reason)
{
    public override string ToString() => $"node '{Node}' ({Op}): {Reason}";
}

/// <summary>
/// Walks a scoring graph against <see cref="ProviderKernels"/>: every node must have a kernel on the provider, for
/// its element type, and pass that kernel's own input rules. Run by <c>export</c> for its <c>--provider</c> and by
/// the scorer when a manifest opens a model for its <c>provider.kind</c>.
/// </summary>
public static class ProviderContract
{
    public static IReadOnlyList<ContractViolation> Violations(ModelProto model, ExecutionProvider provider)
    {
        var kernels = ProviderKernels.For(provider);
        var types = GraphTypes.Infer(model.Graph);
        var violations = new List<ContractViolation>();
        foreach (var node in model.Graph.Node)
            if (Violation(node, kernels, types, provider) is { } reason)
                violations.Add(new ContractViolation(node.Name, node.OpType, reason));
        return violations;
    }

    /// <summary>Throws <see cref="ProviderContractException"/> naming <paramref name="what"/>, the first offending
    /// node and how many more there are.</summary>
    public static void Enforce(ModelProto model, ExecutionProvider provider, string what)
    {
        var violations = Violations(model, provider);
        if (violations.Count == 0)
            return;
        var more = violations.Count > 1 ? $" (and {violations.Count - 1} more node(s))" : "";
        var exportedFor = model.MetadataProps.FirstOrDefault(p => p.Key == GraphMetadata.Provider)?.Value ?? "an unrecorded provider";
        throw new ProviderContractException($"{what}: the {ProviderNames.Name(provider)} execution provider cannot run this graph " +
            $"(exported for {exportedFor}): {violations[0]}{more}. Export it with `poft export --provider {ProviderNames.Name(provider)}` " +
            $"(docs/scoring.md, \"GPU builds\")");
    }

    private static string? Violation(NodeProto node, IReadOnlyDictionary<string, KernelRule> kernels, Dictionary<string, DataType> types, ExecutionProvider provider)
    {
        var domain = node.Domain is "" or "ai.onnx" ? OnnxDomains.Standard : node.Domain;
        if (!kernels.TryGetValue(node.OpType, out var kernel) || kernel.Domain != domain)
            return $"no {ProviderNames.Name(provider)} kernel for {Qualified(domain, node.OpType)} in the contract table (exporter/Contract/ProviderKernels.cs)";
        if (node.Input.Count > kernel.TypedInput && types.TryGetValue(node.Input[kernel.TypedInput], out var type) && !kernel.Types.Contains(type))
            return $"its {ProviderNames.Name(provider)} kernel takes {string.Join(", ", kernel.Types.Select(Name).Order())}, not {Name(type)} ({kernel.Source})";
        return kernel.Rule?.Invoke(node) is { } broken ? $"{broken} ({kernel.Source})" : null;
    }

    private static string Qualified(string domain, string op) => domain.Length == 0 ? op : $"{domain}.{op}";

    private static string Name(DataType type) => type switch
    {
        DataType.Float => "float32",
        DataType.Float16 => "float16",
        DataType.Bfloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };
}
