using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PoFT.Shared.Manifest;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

/// <summary>The JSON schema users validate against, the records the loader reads and the repo's manifest
/// must describe the same fields.</summary>
public class ManifestSchemaTests
{
    private static readonly JsonNode Schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "models-manifest.schema.json")))!;

    private static IEnumerable<string> JsonNames<T>() =>
        typeof(T).GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).OfType<string>().Order();

    private static IEnumerable<string> SchemaProperties(string definition) =>
        Schema["$defs"]![definition]!["properties"]!.AsObject().Select(p => p.Key).Order();

    private static IEnumerable<string> SchemaEnum(string definition, string property) =>
        Schema["$defs"]![definition]!["properties"]![property]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).Order();

    [Fact]
    public void Schema_properties_are_exactly_the_records_fields()
    {
        Assert.Equal(JsonNames<AlignedModelSpec>(), SchemaProperties("model"));
        Assert.Equal(JsonNames<TokenizerSpec>(), SchemaProperties("tokenizer"));
        Assert.Equal(JsonNames<ChatTemplateSpec>(), SchemaProperties("template"));
        Assert.Equal(JsonNames<ExecutionProviderSpec>(), Schema["$defs"]!["model"]!["properties"]!["provider"]!["properties"]!.AsObject().Select(p => p.Key).Order());
    }

    [Fact]
    public void Schema_enumerations_are_exactly_what_the_code_accepts()
    {
        Assert.Equal(ChatTemplateSpec.Families.Order(), SchemaEnum("template", "family"));
        Assert.Equal(TokenizerSpec.Kinds.Order(), SchemaEnum("tokenizer", "kind"));
        Assert.Equal(Enum.GetValues<TruncationPolicy>().Select(v => typeof(TruncationPolicy).GetField(v.ToString())!
            .GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name).Order(), SchemaEnum("model", "truncation"));
    }

    [Fact]
    public void The_repository_manifest_uses_only_schema_fields_and_has_the_required_ones()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "models-manifest.json")))!;
        var allowed = SchemaProperties("model").ToHashSet();
        var required = Schema["$defs"]!["model"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        var models = manifest["models"]!.AsArray();
        Assert.True(models.Count >= 2);
        foreach (var model in models.Select(m => m!.AsObject()))
        {
            Assert.All(model.Select(p => p.Key), key => Assert.Contains(key, allowed));
            Assert.All(required, key => Assert.True(model.ContainsKey(key), key));
        }
    }
}
