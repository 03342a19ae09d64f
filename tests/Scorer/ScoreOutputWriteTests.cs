using PoFT.Scorer;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

/// <summary>A score file's first write fails whole (issue 29 item 3): a run that fails while writing its first records
/// — a full disk, here an error raised mid-write — leaves neither a 0-byte or partial score file nor its sidecar, so
/// a plain retry is not told to --resume a file that holds nothing.</summary>
public sealed class ScoreOutputWriteTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static ScoreProvenance Provenance() =>
        ScoreProvenance.Of(new ModelsManifest("models.json", []), "onnx", new ScoredData("train.jsonl", "0", 2, new SampleShard(0, 1), 2));

    private static IEnumerable<ScoreRecord> FailingAfterOne()
    {
        yield return new ScoreRecord("a", -1.5, []);
        throw new IOException("No space left on device");
    }

    [Theory]
    [InlineData("scores.jsonl")]
    [InlineData("scores.msgpack")]
    public void A_first_write_that_fails_leaves_no_score_file_and_no_sidecar(string name)
    {
        var path = _temp.File(name);
        using (var output = ScoreOutput.Open(path, resume: false, [], Provenance, "models.json"))
            Assert.Throws<IOException>(() => output.Append(FailingAfterOne()));

        Assert.False(File.Exists(path));
        Assert.False(File.Exists(ScoreProvenance.PathOf(path)));
        Assert.DoesNotContain(Directory.GetFiles(_temp.Path), f => !Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void Records_written_after_the_first_are_appended_and_read_back_in_order()
    {
        var path = _temp.File("scores.jsonl");
        using (var output = ScoreOutput.Open(path, resume: false, [], Provenance, "models.json"))
        {
            output.Append([new ScoreRecord("a", -1.5, [])]);
            output.Append([new ScoreRecord("b", -2.5, []), new ScoreRecord("c", -3.5, [])]);
        }

        Assert.Equal(["a", "b", "c"], ScoreFile.Read(path).Select(r => r.Id));
        Assert.True(File.Exists(ScoreProvenance.PathOf(path)));
    }

    [Fact]
    public void A_run_with_nothing_to_score_still_ends_with_its_file()
    {
        var path = _temp.File("scores.msgpack");
        using (var output = ScoreOutput.Open(path, resume: false, [], Provenance, "models.json"))
            output.Complete();

        Assert.True(File.Exists(path));
        Assert.Empty(ScoreFile.Read(path));
    }
}
