using System.Text.Json;
using System.Text.Json.Serialization;

namespace PoFT.Shared.Manifest;

/// <summary>
/// A model's chat template as the models manifest writes it (snake_case JSON): <c>auto</c> (the model's own Jinja
/// chat_template), <c>jinja</c> with a template file, a named preset <see cref="Family"/>, or <c>custom</c> with
/// per-role <see cref="Roles"/> affixes and <see cref="AddBos"/>. <see cref="Kwargs"/> are variables a Jinja template
/// reads (e.g. <c>enable_thinking</c>). See <see cref="ChatTemplates"/> for what each family renders.
/// </summary>
public sealed record ChatTemplateSpec(
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("roles")] IReadOnlyDictionary<string, RoleAffixes>? Roles = null,
    [property: JsonPropertyName("add_bos")] bool AddBos = false,
    [property: JsonPropertyName("jinja")] string? Jinja = null,
    [property: JsonPropertyName("kwargs")] IReadOnlyDictionary<string, JsonElement>? Kwargs = null)
{
    /// <summary>The model's own Jinja <c>chat_template</c>, from the tokenizer_config.json beside its tokenizer.</summary>
    public const string Auto = "auto";
    /// <summary>A Jinja chat template from the file <see cref="Jinja"/> names.</summary>
    public const string JinjaFile = "jinja";

    public const string Llama3 = "llama3";
    public const string ChatMl = "chatml";
    public const string Zephyr = "zephyr";
    public const string MistralInst = "mistral-inst";
    public const string Plain = "plain";
    public const string Custom = "custom";
    public static readonly IReadOnlyList<string> Families = [Auto, JinjaFile, Llama3, ChatMl, Zephyr, MistralInst, Plain, Custom];

    /// <summary>Whether a Hugging Face Jinja template renders it (rather than one of the named presets).</summary>
    [JsonIgnore] public bool IsJinja => Family is Auto or JinjaFile;

    /// <summary>This spec with its <see cref="Jinja"/> path made absolute against the folder of the file that
    /// named it (a manifest, a train config).</summary>
    public ChatTemplateSpec ResolvedAgainst(string directory) => Jinja is null ? this : this with { Jinja = System.IO.Path.GetFullPath(Jinja, directory) };
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
