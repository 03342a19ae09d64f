using PoFT.Experiment;
using PoFT.Tests.Support;

namespace PoFT.Tests.Experiment;

public sealed class StageCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_key_follows_the_recipe_the_input_content_and_upstream_keys_but_not_file_order()
    {
        var a = _temp.File("a.jsonl");
        var b = _temp.File("b.jsonl");
        File.WriteAllText(a, "one");
        File.WriteAllText(b, "two");
        var recipe = new { Epochs = 2, LearningRate = 1e-3 };
        var key = StageCache.Key("base", recipe, [a, b], ["up"]);

        Assert.Equal(key, StageCache.Key("base", recipe, [b, a], ["up"]));
        Assert.NotEqual(key, StageCache.Key("base", recipe with { Epochs = 3 }, [a, b], ["up"]));
        Assert.NotEqual(key, StageCache.Key("aligned", recipe, [a, b], ["up"]));
        Assert.NotEqual(key, StageCache.Key("base", recipe, [a, b], ["other"]));
        File.WriteAllText(b, "two!");
        Assert.NotEqual(key, StageCache.Key("base", recipe, [a, b], ["up"]));
    }

    [Fact]
    public async Task A_stage_is_built_once_and_a_failed_build_leaves_nothing_under_its_key()
    {
        var cache = new StageCache(_temp.Sub("cache"));
        var builds = 0;
        Task Build(string directory)
        {
            builds++;
            File.WriteAllText(Path.Combine(directory, "model.bin"), "weights");
            return Task.CompletedTask;
        }

        var (first, firstCached) = await cache.GetOrBuild("base", "k1", Build);
        var (second, secondCached) = await cache.GetOrBuild("base", "k1", Build);
        Assert.Equal((first, false, true), (second, firstCached, secondCached));
        Assert.Equal(1, builds);
        Assert.Equal("weights", File.ReadAllText(Path.Combine(second, "model.bin")));

        await Assert.ThrowsAsync<IOException>(() => cache.GetOrBuild("base", "k2", _ => throw new IOException("disk full")));
        Assert.Equal([first], Directory.GetDirectories(cache.Root));
    }
}
