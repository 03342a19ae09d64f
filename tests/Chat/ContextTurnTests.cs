using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Tests.Support;
using PoFT.Tests.Tokenizers;
using PoFT.Text.Chat;

namespace PoFT.Tests.Chat;

/// <summary>A ShareGPT/OpenHermes turn of weight 0 is context: rendered, but its tokens are out of the response mask
/// that both the aligned models' scores and the target's loss read, as <c>inspect --jsonl</c> writes it.</summary>
public class ContextTurnTests
{
    [Theory]
    [InlineData("llama3", ChatTemplateSpec.Llama3)]
    [InlineData("qwen3", ChatTemplateSpec.ChatMl)]
    public void A_weight_zero_turn_is_rendered_but_not_in_the_response_mask(string tokenizer, string family)
    {
        using var temp = new TempDirectory();
        var path = temp.File("weights.jsonl");
        File.WriteAllLines(path,
        [
            """{"id": "w", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello there.", "weight": 0}, {"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "It is 4.", "weight": null}]}""",
            """{"id": "all", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello there."}, {"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "It is 4."}]}""",
        ]);
        var data = SftDataSet.Read(path);
        var chat = new ChatTokenizer(RealTokenizers.ByName(tokenizer), new ChatTemplateSpec(family), 512, TruncationPolicy.Error);
        var weighted = chat.Inspect(data.Samples[0]);
        var all = chat.Inspect(data.Samples[1]);

        Assert.Equal(all.Text, weighted.Text);
        Assert.Equal(all.Tokenized.TokenIds, weighted.Tokenized.TokenIds);
        var scored = weighted.Runs().Where(r => r.Scored).Select(r => r.Text).ToList();
        var first = Assert.Single(scored, run => run.Contains("It is 4."));
        Assert.DoesNotContain(scored, run => run.Contains("Hello there."));
        Assert.Contains(all.Runs().Where(r => r.Scored).Select(r => r.Text), run => run.Contains("Hello there."));
        // The weighted mask is the full one less the first reply's tokens: the later reply's tokens are the same.
        Assert.Equal(all.Tokens.Select(t => t.Scored && t.Start >= weighted.Text.IndexOf("2+2?", StringComparison.Ordinal)), weighted.Tokens.Select(t => t.Scored));

        var jsonl = temp.File("inspect.jsonl");
        InspectionFile.Write(jsonl, [InspectionRecord.Of("m", weighted)]);
        var record = System.Text.Json.JsonSerializer.Deserialize<InspectionRecord>(File.ReadAllText(jsonl))!;
        Assert.Equal(weighted.Tokenized.ResponseMask, record.ResponseMask);
        Assert.True(record.ResponseMask.Count(m => m) < all.Tokenized.ResponseTokenCount);
        Assert.NotNull(first);
    }
}
