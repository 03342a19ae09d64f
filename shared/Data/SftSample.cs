namespace PoFT.Shared.Data;

/// <summary>
/// One SFT example ⟨x, y⟩ as a conversation: the assistant turns from message <paramref name="ScoredFrom"/> on
/// are response y, everything else prompt x. <paramref name="IsNoise"/> marks samples known to be noise (only
/// bi-PoFT and reports may read it).
/// </summary>
/// <param name="ScoredFrom">The index of the first message whose assistant turns are scored: 0 for SFT data
/// (every assistant turn is response), the prompt's length for a preference pair's completion, whose prompt
/// may hold earlier assistant turns that are context only.</param>
public sealed record SftSample(string Id, IReadOnlyList<ChatMessage> Messages, bool IsNoise = false, int ScoredFrom = 0);
