using PoFT.Generation;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Tests.Tokenizers;
using PoFT.Text.Chat;

namespace PoFT.Tests.Generation;

public class GenerationPromptTests
{
    private static readonly ChatMessage[] Question = [new(ChatMessage.System, "Be brief."), new(ChatMessage.User, "Hi")];

    [Fact]
    public void A_preset_prompt_ends_with_the_assistant_header_and_its_turn_with_the_end_of_turn()
    {
        var prompt = GenerationPrompt.For(new ChatTemplateSpec(ChatTemplateSpec.ChatMl), RealTokenizers.Qwen3, Question);
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", prompt.Text);
        Assert.Equal("<|im_end|>", prompt.EndOfTurn);
    }

    [Fact]
    public void The_models_own_template_renders_its_generation_prompt()
    {
        // Llama 3's own chat_template, with add_generation_prompt: the date lines are its system header (fixed date).
        var prompt = GenerationPrompt.For(new ChatTemplateSpec(ChatTemplateSpec.Auto), RealTokenizers.Llama3, Question);
        Assert.StartsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n", prompt.Text);
        Assert.EndsWith("Be brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", prompt.Text);
        Assert.Equal("<|eot_id|>", prompt.EndOfTurn);
    }

    [Fact]
    public void The_stop_rule_stops_at_the_end_of_turn_token_and_eos()
    {
        var tokenizer = RealTokenizers.Llama3;
        var prompt = GenerationPrompt.For(new ChatTemplateSpec(ChatTemplateSpec.Llama3), tokenizer, Question);
        var rule = StopRule.For(prompt, tokenizer, PoFT.Checkpoints.ModelConfig.Llama(128256, 64, 176, 2, 4, 2) with { EosTokenIds = [128001] });
        Assert.Contains(tokenizer.TokenId("<|eot_id|>"), rule.Tokens);
        Assert.Contains(128001, rule.Tokens);
        Assert.Null(rule.TextEnd([tokenizer.TokenId("<|eot_id|>")]));
    }

    [Fact]
    public void A_conversation_that_ends_with_the_assistant_is_not_a_prompt() =>
        Assert.Throws<ArgumentException>(() => GenerationPrompt.For(new ChatTemplateSpec(ChatTemplateSpec.ChatMl), RealTokenizers.Qwen3,
            [.. Question, new ChatMessage(ChatMessage.Assistant, "Hello.")]));
}
