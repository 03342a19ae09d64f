using System.Text.Json.Nodes;
using PoFT.Shared.Manifest;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

/// <summary>The manifest contract written as well as read: what <see cref="ModelsManifest.Save"/> writes
/// loads back to the same models, keeps relative paths relative, and writes nothing the loader refuses.</summary>
public class ManifestWriteTests
{
    [Fact]
    public void A_saved_manifest_loads_back_to_the_same_models_with_its_paths_as_given()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("m"));
        File.WriteAllText(temp.File(Path.Combine("m", "model.onnx")), "");
        var custom = new ChatTemplateSpec(ChatTemplateSpec.Custom, new Dictionary<string, RoleAffixes>
        {
            ["user"] = new("<u>", "</u>\n"),
            ["assistant"] = new("<a>\n", "</a>"),
        }, AddBos: true);
        AlignedModelSpec[] models =
        [
            new("a", "m/model.onnx", new TokenizerSpec(TokenizerSpec.HuggingFace, "m/tokenizer.json"), new ChatTemplateSpec(ChatTemplateSpec.Llama3)),
            new("b", "m/model.onnx", new TokenizerSpec(TokenizerSpec.Tiktoken, Encoding: "cl100k_base"), custom, MaxLength: 300,
                Truncation: TruncationPolicy.TruncateResponse, Weight: 2.5, Provider: new ExecutionProviderSpec("cuda", 1), Checkpoint: "m"),
        ];

        var saved = new ModelsManifest(temp.File("models-manifest.json"), models).Save();

        Assert.Equal(models.Select(Describe), saved.Models.Select(Describe));
        Assert.Equal(temp.File(Path.Combine("m", "model.onnx")), saved.Resolve(saved.Models[0].Onnx));
        var json = JsonNode.Parse(File.ReadAllText(saved.Path))!["models"]!.AsArray();
        Assert.Equal("m/model.onnx", json[0]!["onnx"]!.GetValue<string>());
        // Unset optional fields are left out rather than written as null.
        Assert.False(json[0]!.AsObject().ContainsKey("checkpoint"));
        Assert.False(json[0]!["tokenizer"]!.AsObject().ContainsKey("encoding"));
    }

    private static string Describe(AlignedModelSpec m) =>
        $"{m.Name}|{m.Onnx}|{m.Tokenizer with { SpecialTokens = null }}|{m.Template.Family}|{m.Template.AddBos}|" +
        $"{string.Join(";", (m.Template.Roles ?? new Dictionary<string, RoleAffixes>()).OrderBy(r => r.Key).Select(r => $"{r.Key}={r.Value}"))}|" +
        $"{m.MaxLength}|{m.Truncation}|{m.Weight}|{m.Provider}|{m.Checkpoint}";
}
