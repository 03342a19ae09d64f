using PoFT.Shared.Manifest;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Support;
using PoFT.Tests.Tokenizers;

namespace PoFT.Tests.Chat;

/// <summary>A preference completion after a multi-turn prompt: the earlier assistant turn is rendered as context
/// and only the completion's turn is scored, under presets and under models' own Hugging Face templates.</summary>
public class ScoredFromTests
{
    private const string Assistant1 = "It is 4.";
    private const string Completion = "C'est quatre. 🎉";

    private static readonly IReadOnlyList<ChatMessage> Prompt =
    [
        new(ChatMessage.System, "You are terse."),
        new(ChatMessage.User, "What is 2 + 2?"),
        new(ChatMessage.Assistant, Assistant1),
        new(ChatMessage.User, "And in French?"),
    ];

    private static readonly SftSample Chosen = PreferencePair.Of("p", Prompt, [new(ChatMessage.Assistant, Completion)], [new(ChatMessage.Assistant, "Quatre.")]).Chosen;

    [Theory]
    [InlineData("llama3", ChatTemplateSpec.Llama3, "<|eot_id|>")]
    [InlineData("qwen3", ChatTemplateSpec.ChatMl, "<|im_end|>")]
    [InlineData("mistral", ChatTemplateSpec.MistralInst, "</s>")]
    public void Presets_score_only_the_completion(string tokenizerName, string family, string endOfTurn)
    {
        var tokenizer = RealTokenizers.ByName(tokenizerName);
        var chat = new ChatTokenizer(tokenizer, new ChatTemplateSpec(family), 512, TruncationPolicy.Error);
        var sample = chat.Tokenize(Chosen);

        Assert.Equal(4, Chosen.ScoredFrom);
        Assert.Equal(Completion + endOfTurn, tokenizer.Decode(sample.TokenIds.Where((_, t) => sample.ResponseMask[t])));
        Assert.Contains(Assistant1, tokenizer.Decode(sample.TokenIds.Where((_, t) => !sample.ResponseMask[t])));
        // The same tokens as the conversation scored whole: only the mask differs.
        Assert.Equal(chat.Tokenize(Chosen with { ScoredFrom = 0 }).TokenIds, sample.TokenIds);
    }

    [Theory]
    [InlineData("qwen3")]
    [InlineData("llama3_1")]
    [InlineData("gemma3")]
    public void Models_own_templates_score_only_the_last_assistant_span(string directory)
    {
        var tokenizer = TokenizerLoader.LoadFromModelDirectory(RepoPaths.Tokenizer(directory));
        var chat = new ChatTokenizer(tokenizer, new ChatTemplateSpec(ChatTemplateSpec.Auto), 2048, TruncationPolicy.Error);
        var whole = chat.Inspect(Chosen with { ScoredFrom = 0 }).Runs().Where(r => r.Scored).Select(r => r.Text).ToList();
        var completion = chat.Inspect(Chosen).Runs().Where(r => r.Scored).Select(r => r.Text).ToList();

        Assert.Equal(2, whole.Count);
        Assert.Equal([whole[1]], completion);
        Assert.Contains(Completion, completion[0]);
        Assert.DoesNotContain(Assistant1, completion[0]);
        Assert.Equal(chat.Tokenize(Chosen with { ScoredFrom = 0 }).TokenIds, chat.Tokenize(Chosen).TokenIds);
    }

    [Theory]
    [InlineData(-1, "ScoredFrom -1 is not the index of one of its 5 messages")]
    [InlineData(5, "ScoredFrom 5 is not the index of one of its 5 messages")]
    [InlineData(3, "no assistant message from message 3")]
    public void A_scored_from_outside_the_messages_or_after_every_assistant_turn_is_an_error_naming_the_sample(int scoredFrom, string expected)
    {
        var messages = Prompt.Take(3).Append(new(ChatMessage.User, "Thanks")).Append(new(ChatMessage.System, "end")).ToList();
        var chat = new ChatTokenizer(RealTokenizers.Qwen3, new ChatTemplateSpec(ChatTemplateSpec.ChatMl), 512, TruncationPolicy.Error);
        var error = Assert.Throws<InvalidSampleException>(() => chat.Tokenize(new SftSample("bad-3", messages, ScoredFrom: scoredFrom)));
        Assert.Contains("bad-3", error.Message);
        Assert.Contains(expected, error.Message);
    }
}
