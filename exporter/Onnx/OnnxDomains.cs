namespace PoFT.Exporter.Onnx;

/// <summary>Operator set domains the exporter's nodes use.</summary>
public static class OnnxDomains
{
    /// <summary>ONNX Runtime's contrib operators (MatMulNBits …); a model using them imports it at version 1.</summary>
    public const string Microsoft = "com.microsoft";
}
