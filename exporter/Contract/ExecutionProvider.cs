namespace PoFT.Exporter.Contract;

/// <summary>The ONNX Runtime execution provider a scoring graph is laid out for (<c>export --provider</c>, the
/// manifest's <c>provider.kind</c>).</summary>
public enum ExecutionProvider { Cpu, Cuda }

public static class ProviderNames
{
    /// <summary>"cpu" or "cuda", as the CLI and the manifest spell them.</summary>
    public static string Name(ExecutionProvider provider) => provider.ToString().ToLowerInvariant();

    public static ExecutionProvider Parse(string text) => text.ToLowerInvariant() switch
    {
        "cpu" => ExecutionProvider.Cpu,
        "cuda" => ExecutionProvider.Cuda,
        _ => throw new ArgumentException($"provider '{text}': expected cpu or cuda"),
    };
}
