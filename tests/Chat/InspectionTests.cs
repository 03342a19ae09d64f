using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Tests.Support;
using PoFT.Tests.Tokenizers;

namespace PoFT.Tests.Chat;

/// <summary>What the inspect verb shows is what is scored: the marked runs rebuild the rendered text, the
/// scored runs are exactly the assistant contents with their end-of-turn tokens, and the ids and mask are
/// <see cref="ChatTokenizer.Tokenize"/>'s, truncation included.</summary>
public class InspectionTests
{
    private static readonly SftSample TwoTurns = new("s1",
    [
        new(ChatMessage.System, "Be brief."),
        new(ChatMessage.User, "Hi there"),
        new(ChatMessage.Assistant, "Hello!"),
        new(ChatMessage.User, "And 2+2?"),
        new(ChatMessage.Assistant, " It is 4.\n"),
    ]);

    [Theory]
    [InlineData("llama3", ChatTemplateSpec.Llama3, "<|eot_id|>")]
    [InlineData("qwen3", ChatTemplateSpec.ChatMl, "<|im_end|>")]
    public void Scored_runs_are_the_assistant_contents_with_their_end_of_turn(string tokenizer, string family, string endOfTurn)
    {
        var chat = new ChatTokenizer(RealTokenizers.ByName(tokenizer), new ChatTemplateSpec(family), 512, TruncationPolicy.Error);
        var inspected = chat.Inspect(TwoTurns);

        Assert.Equal(inspected.Text, string.Concat(inspected.Runs().Select(r => r.Text)));
        // The template's own response spans (llama3 trims contents, chatml keeps them), each ending in its end-of-turn token.
        var spans = ChatTemplates.Render(new ChatTemplateSpec(family), RealTokenizers.ByName(tokenizer), TwoTurns).ResponseSpans
            .Select(span => inspected.Text[span]).ToList();
        Assert.Equal(spans, inspected.Runs().Where(r => r.Scored).Select(r => r.Text));
        Assert.All(spans, span => Assert.EndsWith(endOfTurn, span));
        Assert.Contains("It is 4.", spans[1]);
        Assert.Equal(chat.Tokenize(TwoTurns).TokenIds, inspected.Tokenized.TokenIds);
        Assert.Equal(inspected.Tokens.Count(t => t.Scored), inspected.Tokenized.ResponseTokenCount);
        Assert.Equal(inspected.Tokens.Count, inspected.PromptTokens + inspected.ResponseTokens);
    }

    [Fact]
    public void Truncated_samples_show_the_tokens_kept_with_the_mask_tokenize_gives()
    {
        var full = new ChatTokenizer(RealTokenizers.Llama3, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 512, TruncationPolicy.Error).Inspect(TwoTurns);
        var chat = new ChatTokenizer(RealTokenizers.Llama3, new ChatTemplateSpec(ChatTemplateSpec.Llama3), full.Tokens.Count - 6, TruncationPolicy.TruncatePrompt);
        var inspected = chat.Inspect(TwoTurns);
        Assert.Equal(full.Tokens.Count - 6, inspected.Tokens.Count);
        Assert.Equal(chat.Tokenize(TwoTurns).ResponseMask, inspected.Tokens.Select(t => t.Scored));
        Assert.Equal(full.Tokens[0], inspected.Tokens[0]);
        Assert.Equal(full.Tokens.TakeLast(inspected.Tokens.Count - 1), inspected.Tokens.Skip(1));
    }

    [Fact]
    public void The_jsonl_holds_one_record_per_sample_and_model_with_ids_and_mask()
    {
        using var temp = new TempDirectory();
        var chat = new ChatTokenizer(RealTokenizers.Llama3, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 512, TruncationPolicy.Error);
        var inspected = chat.Inspect(TwoTurns);
        InspectionFile.Write(temp.File("out.jsonl"), [InspectionRecord.Of("m", inspected), InspectionRecord.Of("n", inspected)]);

        var lines = File.ReadAllLines(temp.File("out.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["m", "n"], lines.Select(l => l["model"]!.GetValue<string>()));
        Assert.Equal("s1", lines[0]["id"]!.GetValue<string>());
        Assert.Equal(inspected.Text, lines[0]["text"]!.GetValue<string>());
        Assert.Equal(inspected.Tokenized.TokenIds, lines[0]["input_ids"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(inspected.Tokenized.ResponseMask, lines[0]["response_mask"]!.AsArray().Select(v => v!.GetValue<bool>()));
    }
}
