namespace PoFT.Exporter.Onnx;

/// <summary>Operator set domains the exported graphs import, with the versions they are written against.</summary>
public static class OnnxDomains
{
    public const string Standard = "";
    /// <summary>ONNX Runtime's contrib operators (GroupQueryAttention).</summary>
    public const string Microsoft = "com.microsoft";

    public static readonly IReadOnlyDictionary<string, long> Opsets = new Dictionary<string, long> { [Standard] = 17, [Microsoft] = 1 };
}
