namespace PoFT.Shared.Scoring;

/// <summary>The exported scoring graph's contract between the exporter and the scorer (docs/scoring.md,
/// "ONNX graph"): its file names, int64 <c>input_ids</c> and <c>attention_mask</c> [batch, seq] in, fp32
/// <c>token_logprobs</c> [batch, seq − 1] out, and the optional full <c>logits</c>. A graph whose LM head runs
/// only where scored also takes int64 <c>score_mask</c> [batch, seq − 1], aligned with the output: nonzero
/// where the log-prob is wanted; every other output element is 0.</summary>
public static class ScoringGraph
{
    public const string ModelFile = "model.onnx";
    /// <summary>Where the weights go when they exceed one protobuf message.</summary>
    public const string ExternalDataFile = "model.onnx.data";

    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string ScoreMask = "score_mask";
    public const string TokenLogProbs = "token_logprobs";
    public const string Logits = "logits";
}
