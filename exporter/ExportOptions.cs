using PoFT.Exporter.Precision;

namespace PoFT.Exporter;

public sealed record ExportOptions
{
    /// <summary>Adds a second output, <c>logits</c> [batch, seq, vocab]; costs a copy of every logit.</summary>
    public bool IncludeLogits { get; init; }

    /// <summary>Weight and compute dtype and weight-only quantization (<c>--dtype</c>, <c>--quantize</c>,
    /// <c>--block-size</c>); fp32 by default.</summary>
    public ExportPrecision Precision { get; init; } = ExportPrecision.Fp32;

    /// <summary>Above this many bytes of weights they go to <c>model.onnx.data</c>: one protobuf message
    /// cannot exceed 2 GiB, and the graph itself needs some of that room.</summary>
    public long ExternalDataThresholdBytes { get; init; } = 1_500_000_000;
}
