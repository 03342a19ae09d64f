namespace PoFT.Tests.Chat.Jinja;

/// <summary>Each feature case renders as Python's jinja2 renders it (all cases rendered by Python in one process).</summary>
public class JinjaFeatureTests
{
    private static readonly Lazy<Dictionary<string, ReferenceResult>> Reference = new(() =>
        JinjaFeatureCases.All.Zip(ReferenceJinja.Render(JinjaFeatureCases.All)).ToDictionary(p => p.First.Name, p => p.Second));

    [Theory]
    [MemberData(nameof(JinjaFeatureCases.Names), MemberType = typeof(JinjaFeatureCases))]
    public void RendersAsJinja2(string name)
    {
        var c = JinjaFeatureCases.All.Single(x => x.Name == name);
        var expected = Reference.Value[name];
        Assert.True(expected.Error is null, $"the reference failed on feature case {name}: {expected.Kind}: {expected.Error}");
        if (JinjaComparison.Difference(c, expected, name) is { } difference)
            Assert.Fail(difference);
    }
}
