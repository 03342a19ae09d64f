namespace PoFT.Shared.Data;

/// <summary>
/// One SFT example ⟨x, y⟩ as a conversation: the assistant turns from message <paramref name="ScoredFrom"/> on,
/// less those in <paramref name="ContextTurns"/>, are response y; everything else prompt x. <paramref name="IsNoise"/>
/// marks samples known to be noise (only bi-PoFT and reports may read it).
/// </summary>
/// <param name="ScoredFrom">The index of the first message whose assistant turns are scored: 0 for SFT data
/// (every assistant turn is response), the prompt's length for a preference pair's completion, whose prompt
/// may hold earlier assistant turns that are context only.</param>
/// <param name="ContextTurns">Indices of assistant messages that are context, rendered but neither scored nor trained
/// on: a ShareGPT/OpenHermes turn with <c>"weight": 0</c> (docs/data.md, "Per-turn weights"). Null: none.</param>
public sealed record SftSample(string Id, IReadOnlyList<ChatMessage> Messages, bool IsNoise = false, int ScoredFrom = 0,
    IReadOnlyList<int>? ContextTurns = null)
{
    /// <summary>Whether message <paramref name="index"/> is response: an assistant turn, at or after
    /// <see cref="ScoredFrom"/>, not a context turn.</summary>
    public bool IsResponse(int index) =>
        index >= ScoredFrom && Messages[index].Role == ChatMessage.Assistant && (ContextTurns is null || !ContextTurns.Contains(index));

    /// <summary>The scale of this sample's loss under any objective (its record's <c>"weight"</c>, finite and ≥ 0;
    /// 1 without one): 0 drops it from the gradient, 2 counts it twice (docs/data.md, "Per-sample weights").</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Where the sample's record is, <c>file:line</c> (JSON array: <c>file:line (record N)</c>; Parquet:
    /// <c>file:row N</c>), for what <c>--skip-bad</c> lists of it; null for a sample built in code.</summary>
    public string? Location { get; init; }

    /// <summary>How the sample was read from its record, one line per message (<c>inspect</c> shows it); null
    /// unless the data was read with <see cref="DataFormat.KeepOrigins"/>.</summary>
    public IReadOnlyList<string>? Origins { get; init; }
}
