using PoFT.Shared.Data;

namespace PoFT.Scorer.Pipeline;

/// <summary>
/// The sample IFD's second pass scores for r(y): the same conversation with the prompt's text left out — every message
/// that is not response (system, user, and assistant context turns) keeps its role and place with empty content — so
/// each model renders it in its own chat template and scores the same response tokens through its end-of-turn token.
/// The template's own tokens stay, so r(y|x) − r(y) measures what the prompt's words add and nothing of the format
/// (docs/scoring.md, "IFD": why not the response as plain text, as Superfiltering's code scores it).
/// </summary>
public static class ResponseOnlySample
{
    public static SftSample Of(SftSample sample) => sample with
    {
        Messages = [.. sample.Messages.Select((m, i) => sample.IsResponse(i) ? m : m with { Content = "" })],
    };
}
