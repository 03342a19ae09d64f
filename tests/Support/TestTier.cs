namespace PoFT.Tests.Support;

/// <summary>The test tiers: <c>[Trait(TestTier.Category, TestTier.Slow)]</c> marks a class that runs the CLI end
/// to end, the demo, the benchmarks or long training; <c>./run.sh test --fast</c> leaves those out (and the GPU
/// package build), <c>./run.sh test</c> — what CI runs — runs everything.</summary>
public static class TestTier
{
    public const string Category = "Category";
    public const string Slow = "Slow";
}
