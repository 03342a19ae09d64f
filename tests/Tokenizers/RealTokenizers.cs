using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;

namespace PoFT.Tests.Tokenizers;

/// <summary>The real tokenizers, loaded once per test run, and their files read independently of our loader.</summary>
public static class RealTokenizers
{
    private static readonly Lazy<ModelTokenizer> Llama3Lazy = new(() => LoadHf("llama3"));
    private static readonly Lazy<ModelTokenizer> Qwen3Lazy = new(() => LoadHf("qwen3"));
    private static readonly Lazy<ModelTokenizer> DeepSeekV3Lazy = new(() => LoadHf("deepseek_v3"));
    private static readonly Lazy<ModelTokenizer> MistralLazy = new(() => LoadHf("mistral"));
    private static readonly Lazy<ModelTokenizer> Gemma3Lazy = new(() => LoadHf("gemma3"));
    private static readonly Lazy<ModelTokenizer> Gpt2Lazy = new(() => TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.Gpt2, "gpt2"), RepoPaths.Assets));

    public static ModelTokenizer Llama3 => Llama3Lazy.Value;
    public static ModelTokenizer Qwen3 => Qwen3Lazy.Value;
    public static ModelTokenizer DeepSeekV3 => DeepSeekV3Lazy.Value;
    /// <summary>Mistral-7B-v0.1's tokenizer.json, in Llama-2's format (Prepend + Replace normalizer, byte fallback).</summary>
    public static ModelTokenizer Mistral => MistralLazy.Value;
    public static ModelTokenizer Gemma3 => Gemma3Lazy.Value;
    public static ModelTokenizer Gpt2 => Gpt2Lazy.Value;

    public static ModelTokenizer ByName(string name) => name switch
    {
        "llama3" => Llama3,
        "qwen3" => Qwen3,
        "deepseek_v3" => DeepSeekV3,
        "mistral" => Mistral,
        "gemma3" => Gemma3,
        "gpt2" => Gpt2,
        _ => throw new ArgumentException(name),
    };

    public static JsonObject TokenizerJson(string name) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Tokenizer(name), "tokenizer.json")))!;

    /// <summary>Id of an added token as tokenizer.json lists it.</summary>
    public static int AddedTokenId(string name, string content) =>
        TokenizerJson(name)["added_tokens"]!.AsArray().Single(t => t!["content"]!.GetValue<string>() == content)!["id"]!.GetValue<int>();

    private static ModelTokenizer LoadHf(string name) =>
        TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.HuggingFace, $"{name}/tokenizer.json"), RepoPaths.Assets);
}
