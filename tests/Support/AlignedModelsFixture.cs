using System.Text.Json.Nodes;
using PoFT.Exporter;
using PoFT.Checkpoints;
using PoFT.Shared.Data;

namespace PoFT.Tests.Support;

/// <summary>
/// Two small aligned models with different real tokenizers and chat templates — Llama-3 vocabulary with
/// the llama3 template, Qwen3 vocabulary with chatml — each as a checkpoint and its ONNX export, plus two
/// for manifest edits: a third Llama-3 one (another seed) and one of the Qwen3ForCausalLM architecture with the
/// Qwen3 tokenizer, whose own chat template (<c>auto</c>) comes with it. Built once per test class.
/// </summary>
public sealed class AlignedModelsFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    public string Root => _temp.Path;

    public AlignedModelsFixture()
    {
        Build("llama", "llama3", seed: 1, hidden: 32);
        Build("qwen", "qwen3", seed: 2, hidden: 48);
        Build("llama-b", "llama3", seed: 3, hidden: 32);
        // head_dim 16, not hidden / heads = 12, as in real Qwen3 models.
        Build(Qwen3Architecture, "qwen3", seed: 4, hidden: 48, c => c with { Architecture = "Qwen3ForCausalLM", HeadDim = 16, TieWordEmbeddings = true });
        // "llama"'s weights (same seed and shape) under Mistral's architecture with a window far shorter than the samples.
        Build(MistralWindow, "llama3", seed: 1, hidden: 32, c => c with { Architecture = "MistralForCausalLM", SlidingWindow = 8 });
    }

    /// <summary>The model of the Qwen3ForCausalLM architecture (q/k norms, head_dim ≠ hidden / heads).</summary>
    public const string Qwen3Architecture = "qwen3-arch";
    public const string MistralWindow = "mistral-window";

    private void Build(string name, string tokenizer, int seed, int hidden, Func<ModelConfig, ModelConfig>? shape = null)
    {
        var tokenizerDir = RepoPaths.Tokenizer(tokenizer);
        var vocabulary = PoFT.Text.Tokenizers.TokenizerLoader.Load(new("hf", Path.Combine(tokenizerDir, "tokenizer.json")), tokenizerDir).VocabularySize!.Value;
        var config = RandomCheckpoints.Build(vocab: vocabulary, hidden: hidden, heads: 4, kvHeads: 2, intermediate: 64);
        config = shape?.Invoke(config) ?? config;
        var checkpoint = RandomCheckpoints.Write(Path.Combine(Root, name), config, seed, tokenizerDirectory: tokenizerDir);
        LlamaOnnxExporter.Export(checkpoint, Path.Combine(Root, name + "-onnx"), new ExportOptions());
    }

    public static JsonObject Entry(string name, string family, double weight = 1, int maxLength = 256) => new()
    {
        ["name"] = name,
        ["onnx"] = $"{name}-onnx/model.onnx",
        ["checkpoint"] = name,
        ["tokenizer"] = new JsonObject { ["kind"] = "hf", ["path"] = $"{name}-onnx/tokenizer.json" },
        ["template"] = new JsonObject { ["family"] = family },
        ["max_length"] = maxLength,
        ["weight"] = weight,
    };

    /// <summary>Writes a manifest beside the models (paths in it are relative, as users write them).</summary>
    public string Manifest(string file, params JsonObject[] models)
    {
        var path = Path.Combine(Root, file);
        File.WriteAllText(path, new JsonObject { ["models"] = new JsonArray([.. models]) }.ToJsonString());
        return path;
    }

    public static List<SftSample> MultiTurn(int count, int seed)
    {
        var random = new Random(seed);
        string[] words = ["the", "model", "learns", "from", "data", "noise", "über", "naïve", "数据", "quickly", "Why?", "résumé", "42", "code:\n\tx = 1"];
        string Text(int n) => string.Join(" ", Enumerable.Range(0, n).Select(_ => words[random.Next(words.Length)]));
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var messages = new List<ChatMessage>();
            if (i % 3 == 0)
                messages.Add(new(ChatMessage.System, "You are terse."));
            for (var turn = 0; turn < 1 + i % 3; turn++)
            {
                messages.Add(new(ChatMessage.User, Text(random.Next(2, 15))));
                messages.Add(new(ChatMessage.Assistant, Text(random.Next(1, 25))));
            }
            return new SftSample($"m{i}", messages);
        })];
    }

    public void Dispose() => _temp.Dispose();
}
