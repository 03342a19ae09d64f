using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>The data-quality verbs as a user runs them: <c>score --ifd</c> ends with the report, <c>score-report</c>
/// writes it for an existing file, <c>filter</c> writes the kept samples and refuses to write over them.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed class QualityVerbsTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Score_with_ifd_reports_then_filter_keeps_the_lowest_ifd_and_refuses_to_overwrite()
    {
        var manifest = models.Manifest("quality.json",
            AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3), AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl));
        var data = _temp.File("d.jsonl");
        SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(6, seed: 8).Select((s, i) => s with { IsNoise = i % 3 == 0 }));
        var scores = _temp.File("s.jsonl");

        var scored = await PoftProcess.Run(["score", "--manifest", manifest, "--data", data, "--out", scores, "--threads", "1", "--ifd"]);

        Assert.True(scored.ExitCode == 0, scored.Error);
        Assert.Contains("  ifd llama: mean=", scored.Output);
        Assert.Contains(" auc=", scored.Output);
        Assert.True(File.Exists(_temp.File("s.quality.md")));
        Assert.True(File.Exists(_temp.File("s.quality.ifd-qwen.png")));
        File.Delete(_temp.File("s.quality.json"));

        var report = await PoftProcess.Run(["score-report", "--scores", scores]);
        Assert.True(report.ExitCode == 0, report.Error);
        Assert.DoesNotContain(" auc=", report.Output);
        Assert.True(File.Exists(_temp.File("s.quality.json")));

        var kept = _temp.File("kept.jsonl");
        var filter = await PoftProcess.Run(["filter", "--scores", scores, "--data", data, "--out", kept, "--keep-top", "50", "--by", "ifd"]);
        Assert.True(filter.ExitCode == 0, filter.Error);
        var records = ScoreFile.Read(scores);
        var expected = records.Select((r, i) => (r.Id, Ifd: r.Models.Average(m => m.Ifd!.Value), i)).OrderBy(p => p.Ifd).ThenBy(p => p.i).Take(3)
            .OrderBy(p => p.i).Select(p => p.Id);
        Assert.Equal(expected, SftDataSet.Read(kept).Samples.Select(s => s.Id));

        var again = await PoftProcess.Run(["filter", "--scores", scores, "--data", data, "--out", kept, "--rbar-above", "-100"]);
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith($"error: {kept} exists", again.Error.Trim());
    }
}
