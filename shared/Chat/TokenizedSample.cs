namespace PoFT.Shared.Chat;

/// <summary>A sample as one model sees it: token ids, and for each token t whether its log-probability
/// (predicted from tokens &lt; t) belongs to the response score.</summary>
public sealed record TokenizedSample(string Id, int[] TokenIds, bool[] ResponseMask);
