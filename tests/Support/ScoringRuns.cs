using PoFT.Scorer;
using PoFT.Scorer.Onnx;
using PoFT.Scorer.Pipeline;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;

namespace PoFT.Tests.Support;

/// <summary>The <c>score</c> verb's library side, run in this process: one thread per model, small windows.</summary>
public static class ScoringRuns
{
    private static readonly IScoringBackend Ort = new OrtScoringBackend(new OrtScoringOptions { IntraOpThreads = 1 });

    public static async Task Score(string manifest, string data, string output, bool resume = false, SampleShard? shard = null, bool ifd = false)
    {
        using var run = ScoringOnlyRun.Open(ModelsManifest.Load(manifest), data, output, resume, shard ?? SampleShard.All, skipBad: false, Ort,
            tokenBudget: 0, new ScoringPipelineOptions { WindowSize = 8 }, _ => { }, ifd: ifd);
        await run.RunAsync(progress: null, CancellationToken.None);
    }
}
