namespace PoFT.Shared.Data;

/// <summary>
/// One SFT example ⟨x, y⟩ as a conversation: every assistant turn is response y, everything else prompt x.
/// <paramref name="IsNoise"/> marks samples known to be noise (only bi-PoFT and reports may read it).
/// </summary>
public sealed record SftSample(string Id, IReadOnlyList<ChatMessage> Messages, bool IsNoise = false);
