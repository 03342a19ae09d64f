namespace PoFT.Bench;

/// <summary>What a bench run measures and how hard. <see cref="MaxLength"/> is also the length the
/// pad-to-max baseline pads every sample to.</summary>
public sealed record BenchSettings(
    IReadOnlySet<string> Parts,
    IReadOnlyList<string> Sizes,
    int Warmup,
    int Repeats,
    int Threads,
    int Samples,
    int MedianLength,
    int MaxLength,
    bool Quick)
{
    public static readonly IReadOnlyList<string> AllParts = ["peak", "scorer", "graph", "trainer", "pipeline", "memory"];

    /// <summary>The demo's output (its <c>models-manifest.json</c> and training sets), which the precision part
    /// exports and scores.</summary>
    public string DemoDirectory { get; init; } = "runs/demo";

    /// <summary>Parts run only when named: <c>large</c> exports and scores a 1.1B model (~11 GB, minutes);
    /// <c>precision</c> needs the demo's models first (<see cref="DemoDirectory"/>); <c>data</c> writes and reads
    /// files of 100k samples in each layout (~250 MB each, a minute or two); <c>tokenize</c> reads the real
    /// tokenizers of .cache/assets (scripts/fetch-assets.sh); <c>bf16</c> trains the demo's target three times (fp32,
    /// bf16, fp32 with another seed: minutes); <c>generate</c> decodes with and without the KV cache (tiny and 100m).</summary>
    public static readonly IReadOnlyList<string> OptInParts = ["large", "precision", "data", "tokenize", "bf16", "generate"];

    /// <summary>The data part's file sizes, in records: 100,000 (10,000 with quick), or <c>--data-samples</c>.</summary>
    public IReadOnlyList<int> DataSamples { get; init; } = DefaultDataSamples(Quick);

    private static IReadOnlyList<int> DefaultDataSamples(bool quick) => quick ? [10_000] : [100_000];

    public Measurement Measurement => new(Warmup, Repeats);

    public LengthMix LengthMix => new(MedianLength, MaxLength);

    public IEnumerable<BenchSize> ModelSizes => Sizes.Select(BenchSize.Parse);

    public static BenchSettings Create(IEnumerable<string> parts, IEnumerable<string> sizes, int? repeats, int threads, int? samples, bool quick)
    {
        var partSet = parts.ToHashSet(StringComparer.Ordinal);
        var unknown = partSet.Except(AllParts).Except(OptInParts).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"unknown part(s) {string.Join(", ", unknown)}; parts: {string.Join(", ", AllParts.Concat(OptInParts))}");
        var sizeList = quick ? ["tiny"] : sizes.ToList();
        foreach (var size in sizeList)
            BenchSize.Parse(size);
        return new BenchSettings(
            partSet,
            sizeList,
            Warmup: 1,
            Repeats: repeats ?? (quick ? 2 : 5),
            Threads: threads > 0 ? threads : Environment.ProcessorCount,
            Samples: samples ?? (quick ? 16 : 64),
            MedianLength: quick ? 24 : 256,
            MaxLength: quick ? 96 : 1024,
            Quick: quick);
    }
}
