using System.Text.Json.Serialization;

namespace PoFT.Shared.Chat;

/// <summary>
/// A model's chat template as the models manifest writes it (snake_case JSON): a named <see cref="Family"/>, or
/// <c>custom</c> with per-role <see cref="Roles"/> affixes and <see cref="AddBos"/>. See <see cref="ChatTemplates"/>
/// for what each family renders.
/// </summary>
public sealed record ChatTemplateSpec(
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("roles")] IReadOnlyDictionary<string, RoleAffixes>? Roles = null,
    [property: JsonPropertyName("add_bos")] bool AddBos = false)
{
    public const string Llama3 = "llama3";
    public const string ChatMl = "chatml";
    public const string Zephyr = "zephyr";
    public const string MistralInst = "mistral-inst";
    public const string Plain = "plain";
    public const string Custom = "custom";
    public static readonly IReadOnlyList<string> Families = [Llama3, ChatMl, Zephyr, MistralInst, Plain, Custom];
}

/// <summary>
/// Text around each message of one role in a <c>custom</c> template. The assistant's <see cref="Suffix"/> is what
/// the model emits to end its turn, so it is scored; whitespace after it belongs in the next role's prefix.
/// End the assistant's <see cref="Prefix"/> with a newline, not a space: byte-level BPE joins a trailing space with
/// the response's first word, and a token that starts in the prompt is not scored.
/// </summary>
public sealed record RoleAffixes(
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("suffix")] string Suffix);
