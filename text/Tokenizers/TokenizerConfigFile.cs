using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Shared.Manifest;

namespace PoFT.Text.Tokenizers;

/// <summary>The Jinja <c>chat_template</c> of the tokenizer_config.json beside a tokenizer's file: a string, or a
/// list of named templates of which transformers takes "default".</summary>
public static class TokenizerConfigFile
{
    public const string FileName = "tokenizer_config.json";

    /// <summary>The tokenizer_config.json beside a tokenizer's file (or in its directory): where its chat template
    /// comes from, and so what errors in the template name.</summary>
    public static string PathBeside(ModelTokenizer tokenizer)
    {
        var directory = Directory.Exists(tokenizer.Source) ? tokenizer.Source : Path.GetDirectoryName(tokenizer.Source);
        return Path.Combine(directory ?? "", FileName);
    }

    /// <returns>The template, or null where the file or its chat_template is missing.</returns>
    public static string? ChatTemplate(ModelTokenizer tokenizer)
    {
        var path = PathBeside(tokenizer);
        if (!File.Exists(path))
            return null;
        var root = JsonFiles.ReadObject(path);
        return root["chat_template"] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            JsonArray named => named.OfType<JsonObject>().FirstOrDefault(t => t["name"]?.GetValue<string>() == "default")?["template"]?.GetValue<string>()
                ?? throw new FormatException($"{path}: field 'chat_template': a list of named templates without one named \"default\""),
            _ => throw new FormatException($"{path}: field 'chat_template': expected a string or a list of named templates"),
        };
    }

    /// <summary>The chat template a run trained with, as the run's checkpoints record it beside Hugging Face's
    /// <c>chat_template</c>: what <c>generate</c> renders prompts with.</summary>
    public const string RunTemplateField = "poft_chat_template";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Records <paramref name="template"/> in the tokenizer_config.json of <paramref name="directory"/> (a checkpoint
    /// being written, its tokenizer files already copied in): a template file becomes its <c>chat_template</c> (what a
    /// Hugging Face user's apply_chat_template renders), and <see cref="RunTemplateField"/> names the template — <c>auto</c>
    /// for a Jinja one, the preset family and its fields otherwise. Without tokenizer files there is nothing to record beside.</summary>
    public static void WriteRunTemplate(string directory, ChatTemplateSpec template, IEnumerable<string> tokenizerFiles)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path) && !tokenizerFiles.Any(f => File.Exists(Path.Combine(directory, f))))
            return;
        var root = File.Exists(path) ? JsonFiles.ReadObject(path) : [];
        if (template.Family == ChatTemplateSpec.JinjaFile)
            root["chat_template"] = File.ReadAllText(template.Jinja!);
        var recorded = template.IsJinja ? new ChatTemplateSpec(ChatTemplateSpec.Auto, Kwargs: template.Kwargs) : template;
        root[RunTemplateField] = JsonSerializer.SerializeToNode(recorded);
        File.WriteAllText(path, root.ToJsonString(Indented));
    }

    /// <returns>The template recorded by <see cref="WriteRunTemplate"/> beside the tokenizer, or null.</returns>
    public static ChatTemplateSpec? RunTemplate(ModelTokenizer tokenizer)
    {
        var path = PathBeside(tokenizer);
        if (!File.Exists(path) || JsonFiles.ReadObject(path)[RunTemplateField] is not JsonObject recorded)
            return null;
        try
        {
            return recorded.Deserialize<ChatTemplateSpec>() ?? throw new FormatException($"{path}: field '{RunTemplateField}': expected a chat template object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: field '{RunTemplateField}': {e.Message}");
        }
    }
}
