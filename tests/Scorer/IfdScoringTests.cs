using MessagePack;
using PoFT.Scorer.Quality;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;
using PoFT.Text.Chat;
using PoFT.Trainer.Model;

namespace PoFT.Tests.Scorer;

/// <summary><c>score --ifd</c>: r(y) from a second pass of each model over the conversation with the prompt's text left out,
/// IFD = exp(r(y) − r(y|x)), checked against the TorchSharp checkpoint run on the two renderings independently.</summary>
public sealed class IfdScoringTests(AlignedModelsFixture models) : IClassFixture<AlignedModelsFixture>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Manifest() => models.Manifest("ifd.json",
        AlignedModelsFixture.Entry("llama", ChatTemplateSpec.Llama3),
        AlignedModelsFixture.Entry("qwen", ChatTemplateSpec.ChatMl, weight: 2));

    [Fact]
    public async Task Ifd_is_exp_of_the_response_only_mean_less_the_mean_with_the_prompt()
    {
        var samples = AlignedModelsFixture.MultiTurn(7, seed: 5);
        var data = _temp.File("d.jsonl");
        SftDataWriter.WriteJsonLines(data, samples);
        var scores = _temp.File("s.msgpack");

        await ScoringRuns.Score(Manifest(), data, scores, ifd: true);

        var records = ScoreFile.Read(scores);
        Assert.Equal(samples.Select(s => s.Id), records.Select(r => r.Id));
        var tokenizer = PoFT.Text.Tokenizers.TokenizerLoader.Load(new("hf", "tokenizer.json"), Path.Combine(models.Root, "llama-onnx"));
        var chat = new ChatTokenizer(tokenizer, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 256, TruncationPolicy.Error);
        using var torch = TorchTokenLogProbModel.Load(Path.Combine(models.Root, "llama"), Placement.Cpu);
        for (var i = 0; i < samples.Count; i++)
        {
            // Independently: the prompt left out by hand — every message not an assistant turn emptied.
            var responseOnly = samples[i] with
            {
                Messages = [.. samples[i].Messages.Select(m => m.Role == ChatMessage.Assistant ? m : new ChatMessage(m.Role, ""))],
            };
            var (withPrompt, count) = MeanResponseLogProb(torch, chat, samples[i]);
            var (alone, aloneCount) = MeanResponseLogProb(torch, chat, responseOnly);
            var llama = records[i].Models[0];
            Assert.Equal(withPrompt, llama.Mean, 1e-4);
            Assert.Equal((count, aloneCount), (llama.Count, llama.ResponseOnlyCount!.Value));
            Assert.Equal(alone, llama.ResponseOnlySum!.Value / aloneCount, 1e-4);
            Assert.Equal(Math.Exp(alone - withPrompt), llama.Ifd!.Value, 1e-3);
            // The prompt changes what the model expects: the two passes differ.
            Assert.NotEqual(withPrompt, alone, 1e-3);
            Assert.True(records[i].Models[1].HasIfd);
        }
        // The report adds each model's IFD.
        var report = ScoreQualityReport.Of(scores, records, null);
        Assert.Equal(["llama", "qwen", "r̄", "ifd llama", "ifd qwen"], report.Series.Select(s => s.Name));
    }

    [Fact]
    public async Task A_file_scored_without_ifd_is_not_resumed_with_it()
    {
        var data = _temp.File("d.jsonl");
        SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(3, seed: 6));
        var scores = _temp.File("s.jsonl");
        await ScoringRuns.Score(Manifest(), data, scores);
        Assert.All(ScoreFile.Read(scores), r => Assert.False(r.Models[0].HasIfd));
        Assert.DoesNotContain("ifd", File.ReadAllText(scores));

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ScoringRuns.Score(Manifest(), data, scores, resume: true, ifd: true));
        Assert.Contains("field 'ifd'", e.Message);
    }

    [Fact]
    public void A_messagepack_record_of_the_format_before_ifd_reads_without_it()
    {
        // What the previous version wrote: the four keys of a model and nothing else.
        var old = MessagePackSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = "a",
            ["reference"] = -1.5,
            ["models"] = new object[] { new Dictionary<string, object> { ["name"] = "m", ["sum"] = -3.0, ["count"] = 2, ["mean"] = -1.5 } },
        });
        var path = _temp.File("old.msgpack");
        File.WriteAllBytes(path, old);
        var model = ScoreFile.Read(path).Single().Models.Single();
        Assert.Equal(("m", -1.5, false), (model.Name, model.Mean, model.HasIfd));
    }

    private static (double Mean, int Count) MeanResponseLogProb(TorchTokenLogProbModel torch, ChatTokenizer chat, SftSample sample)
    {
        var tokenized = chat.Tokenize(sample);
        var n = tokenized.TokenIds.Length;
        var logProbs = new float[n - 1];
        torch.TokenLogProbs(tokenized.TokenIds.Select(t => (long)t).ToArray(), Enumerable.Repeat(1L, n).ToArray(), 1, n, logProbs);
        var response = Enumerable.Range(1, n - 1).Where(t => tokenized.ResponseMask[t]).ToList();
        return (response.Average(t => (double)logProbs[t - 1]), response.Count);
    }
}
