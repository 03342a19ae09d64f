using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Shared;

namespace PoFT.Experiment;

/// <summary>
/// Built artefacts (the base model, the aligned models) kept under a key derived from everything they were
/// built from: the recipe, the content of the input files and the keys of the stages they start from. A
/// change to any input gives a new key and a rebuild; an interrupted build leaves only a temporary
/// directory, never a directory under a key.
/// </summary>
public sealed class StageCache(string root)
{
    /// <summary>Bumped when the way a stage builds changes in a way its inputs do not show.</summary>
    private const int RecipeVersion = 1;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The key of a stage: SHA-256 over the stage's recipe (JSON) and its input files' content.</summary>
    public static string Key(string stage, object recipe, IEnumerable<string> inputFiles, IEnumerable<string> upstreamKeys)
    {
        var description = new JsonObject
        {
            ["stage"] = stage,
            ["version"] = RecipeVersion,
            ["recipe"] = JsonSerializer.SerializeToNode(recipe),
            ["files"] = new JsonArray([.. inputFiles.Order(StringComparer.Ordinal).Select(f => (JsonNode)FileHash.Sha256(f))]),
            ["upstream"] = new JsonArray([.. upstreamKeys.Select(k => (JsonNode)k)]),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description.ToJsonString())))[..16];
    }

    /// <summary>
    /// The directory of <paramref name="stage"/> under <paramref name="key"/>: reused when it exists,
    /// otherwise built by <paramref name="build"/> into a temporary sibling that is renamed into place
    /// when the build returns.
    /// </summary>
    public async Task<(string Directory, bool Cached)> GetOrBuild(string stage, string key, Func<string, Task> build)
    {
        var directory = Path.Combine(Root, $"{stage}-{key}");
        if (Directory.Exists(directory))
            return (directory, true);
        var building = Path.Combine(Root, $".{stage}-{key}.{Guid.NewGuid():N}.partial");
        Directory.CreateDirectory(building);
        try
        {
            await build(building);
            Directory.Move(building, directory);
        }
        catch
        {
            Directory.Delete(building, recursive: true);
            throw;
        }
        return (directory, false);
    }
}
