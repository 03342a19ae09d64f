namespace PoFT.Shared.Data;

/// <summary>
/// One preference record ⟨x, y_w, y_l⟩: a prompt and two completions of it, the chosen one preferred. Each
/// completion is a sample of its own — the prompt's turns followed by the completion's, scored on the
/// completion only (<see cref="SftSample.ScoredFrom"/>) — with the pair's id and a suffix as its id, which is
/// how the scorer and score files know it.
/// </summary>
public sealed record PreferencePair(string Id, SftSample Chosen, SftSample Rejected)
{
    public const string ChosenSuffix = "/chosen";
    public const string RejectedSuffix = "/rejected";

    /// <summary>The chosen sample, then the rejected one: the order they are scored and trained in.</summary>
    public IReadOnlyList<SftSample> Samples => [Chosen, Rejected];

    public static PreferencePair Of(string id, IReadOnlyList<ChatMessage> prompt, IReadOnlyList<ChatMessage> chosen, IReadOnlyList<ChatMessage> rejected) =>
        new(id,
            new SftSample(id + ChosenSuffix, [.. prompt, .. chosen], ScoredFrom: prompt.Count),
            new SftSample(id + RejectedSuffix, [.. prompt, .. rejected], ScoredFrom: prompt.Count));
}
