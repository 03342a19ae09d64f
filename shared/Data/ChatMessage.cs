namespace PoFT.Shared.Data;

/// <summary>One turn of a conversation. Roles: <c>system</c>, <c>user</c>, <c>assistant</c>.</summary>
public sealed record ChatMessage(string Role, string Content)
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";
    public static readonly IReadOnlyList<string> Roles = [System, User, Assistant];
}
