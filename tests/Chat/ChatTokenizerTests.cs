using PoFT.Shared.Manifest;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Tokenizers;

namespace PoFT.Tests.Chat;

/// <summary>Response masks of real templates on real tokenizers: masked tokens decode to the assistant turns.</summary>
public class ChatTokenizerTests
{
    private const string System = "You are a terse assistant. Never mention bananas.";
    private const string User1 = "What is 2 + 2?";
    private const string Assistant1 = "It is 4.";
    private const string User2 = "And in French — s'il vous plaît?";
    private const string Assistant2 = "C'est quatre. 🎉\n\tDone.";

    private static readonly SftSample Conversation = new("conv-1",
    [
        new(ChatMessage.System, System),
        new(ChatMessage.User, User1),
        new(ChatMessage.Assistant, Assistant1),
        new(ChatMessage.User, User2),
        new(ChatMessage.Assistant, Assistant2),
    ]);

    public static TheoryData<string, string, string> Templates() => new()
    {
        { "llama3", ChatTemplateSpec.Llama3, "<|eot_id|>" },
        { "qwen3", ChatTemplateSpec.ChatMl, "<|im_end|>" },
        // Byte-fallback BPE with a normalizer that prepends "▁": offsets still point into the rendered text.
        { "mistral", ChatTemplateSpec.MistralInst, "</s>" },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void MaskedTokensDecodeToAssistantContentsAndTheirEndOfTurn(string tokenizerName, string family, string endOfTurn)
    {
        var tokenizer = RealTokenizers.ByName(tokenizerName);
        var sample = new ChatTokenizer(tokenizer, new ChatTemplateSpec(family), 4096, TruncationPolicy.Error).Tokenize(Conversation);

        Assert.Equal(Assistant1 + endOfTurn + Assistant2 + endOfTurn, tokenizer.Decode(Masked(sample, true)));
        var prompt = tokenizer.Decode(Masked(sample, false));
        Assert.Contains(System, prompt);
        Assert.Contains(User1, prompt);
        Assert.Contains(User2, prompt);
        var scored = tokenizer.Decode(Masked(sample, true));
        Assert.DoesNotContain("bananas", scored);
        Assert.DoesNotContain("2 + 2", scored);
    }

    [Fact]
    public void Llama3RendersTheHuggingFaceTemplate()
    {
        var text = ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.Llama3), RealTokenizers.Llama3,
            new SftSample("s", [new(ChatMessage.User, "  Hi  "), new(ChatMessage.Assistant, "Hello\n")])).Text;
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|>", text);
        var ids = new ChatTokenizer(RealTokenizers.Llama3, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 64, TruncationPolicy.Error)
            .Tokenize(new SftSample("s", [new(ChatMessage.User, "Hi"), new(ChatMessage.Assistant, "Hello")])).TokenIds;
        Assert.Equal([128000, 128006], ids[..2]);
        Assert.Equal(128009, ids[^1]);
    }

    [Fact]
    public void ChatMlRendersTheHuggingFaceTemplate()
    {
        var text = ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.ChatMl), RealTokenizers.Qwen3,
            new SftSample("s", [new(ChatMessage.System, "S"), new(ChatMessage.User, "U"), new(ChatMessage.Assistant, "A")])).Text;
        Assert.Equal("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n", text);
    }

    [Fact]
    public void ZephyrAndMistralRenderTheirTemplates()
    {
        var custom = TokenizerWithBosEos();
        var sample = new SftSample("s", [new(ChatMessage.System, "S"), new(ChatMessage.User, "U"), new(ChatMessage.Assistant, "A")]);
        Assert.Equal("<|system|>\nS<|endoftext|>\n<|user|>\nU<|endoftext|>\n<|assistant|>\nA<|endoftext|>\n",
            ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.Zephyr), custom, sample).Text);
        Assert.Equal("<|endoftext|>[INST] S\n\nU [/INST]A<|endoftext|>",
            ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.MistralInst), custom, sample).Text);
    }

    [Theory]
    [InlineData(TruncationPolicy.TruncatePrompt)]
    [InlineData(TruncationPolicy.TruncateResponse)]
    public void TruncationKeepsTheLimitAndTheRightEnd(TruncationPolicy policy)
    {
        var tokenizer = RealTokenizers.Llama3;
        var full = new ChatTokenizer(tokenizer, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 4096, TruncationPolicy.Error).Tokenize(Conversation);
        const int max = 40;
        var cut = new ChatTokenizer(tokenizer, new ChatTemplateSpec(ChatTemplateSpec.Llama3), max, policy).Tokenize(Conversation);
        Assert.Equal(max, cut.TokenIds.Length);
        if (policy == TruncationPolicy.TruncatePrompt)
        {
            Assert.Equal(128000, cut.TokenIds[0]);
            Assert.Equal(full.TokenIds[^(max - 1)..], cut.TokenIds[1..]);
            Assert.Equal(full.ResponseMask[^(max - 1)..], cut.ResponseMask[1..]);
        }
        else
        {
            Assert.Equal(full.TokenIds[..max], cut.TokenIds);
            Assert.Equal(full.ResponseMask[..max], cut.ResponseMask);
        }
        Assert.True(cut.ResponseTokenCount >= 1);
    }

    [Fact]
    public void TooLongIsAnErrorNamingSampleAndLengths()
    {
        var chat = new ChatTokenizer(RealTokenizers.Llama3, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 10, TruncationPolicy.Error);
        var e = Assert.Throws<InvalidSampleException>(() => chat.Tokenize(Conversation));
        Assert.Contains("conv-1", e.Message);
        Assert.Contains("exceed the maximum of 10", e.Message);
        // The refusal names the setting and every way out of it.
        Assert.Contains("set truncation to truncate-prompt", e.Message);
        Assert.Contains("truncate-response", e.Message);
        Assert.Contains("raise max_length", e.Message);
    }

    [Fact]
    public void Aligned_models_and_the_target_truncate_alike_by_default_keeping_the_end()
    {
        var manifestDefault = typeof(AlignedModelSpec).GetConstructors().Single().GetParameters().Single(p => p.Name == "Truncation").DefaultValue;
        Assert.Equal(TruncationPolicy.TruncatePrompt, manifestDefault);
        Assert.Equal(TruncationPolicy.TruncatePrompt, new PoFT.Hybrid.Config.TrainConfig().Truncation);
    }

    [Fact]
    public void TruncatingAwayAllResponsesIsAnError()
    {
        var chat = new ChatTokenizer(RealTokenizers.Llama3, new ChatTemplateSpec(ChatTemplateSpec.Llama3), 10, TruncationPolicy.TruncateResponse);
        var e = Assert.Throws<InvalidSampleException>(() => chat.Tokenize(Conversation));
        Assert.Contains("conv-1", e.Message);
    }

    [Theory]
    [InlineData("tool", "x", "role 'tool'")]
    [InlineData(ChatMessage.Assistant, "   ", "empty content")]
    [InlineData(ChatMessage.User, "only a question", "no assistant message")]
    public void InvalidConversationsAreErrorsNamingTheSample(string role, string content, string problem)
    {
        var messages = new List<ChatMessage> { new(ChatMessage.User, "q"), new(role, content) };
        if (role == ChatMessage.User)
            messages.RemoveAt(0);
        var chat = new ChatTokenizer(RealTokenizers.Qwen3, new ChatTemplateSpec(ChatTemplateSpec.ChatMl), 64, TruncationPolicy.Error);
        var e = Assert.Throws<InvalidSampleException>(() => chat.Tokenize(new SftSample("bad-7", messages)));
        Assert.Contains("bad-7", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void TemplateNeedingTokensTheTokenizerLacksIsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.ChatMl), RealTokenizers.Llama3, Conversation));
        Assert.Contains("<|im_start|>", e.Message);
    }

    [Fact]
    public void CustomTemplateScoresTheAssistantSuffix()
    {
        var tokenizer = TokenizerWithBosEos();
        var template = new ChatTemplateSpec(ChatTemplateSpec.Custom, new Dictionary<string, RoleAffixes>
        {
            [ChatMessage.User] = new("### Question: ", "\n"),
            [ChatMessage.Assistant] = new("### Answer:\n", "<|endoftext|>"),
        }, AddBos: true);
        var sample = new ChatTokenizer(tokenizer, template, 64, TruncationPolicy.Error)
            .Tokenize(new SftSample("c", [new(ChatMessage.User, "Why?"), new(ChatMessage.Assistant, "Because.")]));
        Assert.Equal("Because.<|endoftext|>", tokenizer.Decode(Masked(sample, true)));
        Assert.Equal(50256, sample.TokenIds[0]);
    }

    private static IEnumerable<int> Masked(TokenizedSample sample, bool response) =>
        sample.TokenIds.Where((_, t) => sample.ResponseMask[t] == response);

    // GPT-2 stands in for a model whose bos and eos are both <|endoftext|>.
    private static ModelTokenizer TokenizerWithBosEos() => RealTokenizers.Gpt2;
}
