using System.Text.Json.Nodes;

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
}
