using PoFT.Shared.Manifest;
using System.Text.Json.Nodes;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Text.Tokenizers;
using PoFT.Tests.Chat.Jinja;
using PoFT.Tests.Support;

namespace PoFT.Tests.Chat;

/// <summary>
/// Real models' own chat templates (<c>auto</c>, or a template file) through the whole tokenization: the scored
/// spans hold each assistant message's content as rendered and end with the template's end-of-turn token; no
/// user or system text is scored; the scored tokens are exactly the spans; and where a hand-written preset
/// renders the same template, both score the same text.
/// </summary>
public class HfChatTemplateTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Conversations = ["system-two-turns", "no-system", "whitespace-at-ends", "crlf", "unicode", "code", "reasoning", "three-turns"];

    /// <summary>Template → (tokenizer directory, its end-of-turn token); null template file: the directory's own (auto).</summary>
    public static TheoryData<string, string, string> Templates() => new()
    {
        { "llama3", "llama3", "<|eot_id|>" },
        { "llama3_1-lenml", "llama3_1", "<|eot_id|>" },
        { "qwen3", "qwen3", "<|im_end|>" },
        { "llama3.1-instruct", "llama3_1", "<|eot_id|>" },
        { "gemma3", "gemma3", "<end_of_turn>" },
        { "deepseek_v3", "deepseek_v3", "<｜end▁of▁sentence｜>" },
        { "llama2-chat", "mistral", "</s>" },
        { "mistral-7b-instruct", "mistral", "</s>" },
    };

    private static ChatTemplateSpec Spec(string template, string tokenizerDirectory, TempDirectory temp)
    {
        if (!template.Contains('.') && !template.Contains('-'))
            return new ChatTemplateSpec(ChatTemplateSpec.Auto);
        var file = temp.File(template + ".jinja");
        File.WriteAllText(file, RealChatTemplates.Load(template).Source);
        return new ChatTemplateSpec(ChatTemplateSpec.JinjaFile, Jinja: file);
    }

    private static ModelTokenizer Tokenizer(string directory) => TokenizerLoader.LoadFromModelDirectory(RepoPaths.Tokenizer(directory));

    private static SftSample Sample(string name)
    {
        var messages = JsonNode.Parse(ChatConversations.All.Single(c => c.Name == name).MessagesJson)!.AsArray()
            .Select(m => new ChatMessage(m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())).ToList();
        return new SftSample(name, messages);
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Scored_spans_are_each_assistant_content_and_its_end_of_turn(string template, string tokenizerDirectory, string endOfTurn)
    {
        using var temp = new TempDirectory();
        var tokenizer = Tokenizer(tokenizerDirectory);
        var spec = Spec(template, tokenizerDirectory, temp);
        var renderedCount = 0;
        foreach (var name in Conversations)
        {
            var sample = Sample(name);
            RenderedConversation rendered;
            try
            {
                rendered = ChatTemplates.Render(spec, tokenizer, sample);
            }
            catch (InvalidSampleException e) when (e.Message.Contains("must alternate", StringComparison.Ordinal))
            {
                continue; // Mistral's and Llama-2's templates refuse a system message or non-alternating roles.
            }
            renderedCount++;
            var spans = rendered.ResponseSpans.Select(s => rendered.Text[s]).ToList();
            var assistant = sample.Messages.Where(m => m.Role == ChatMessage.Assistant).Select(m => tokenizer.Normalize(m.Content)).ToList();
            Assert.Equal(assistant.Count, spans.Count);
            for (var k = 0; k < spans.Count; k++)
            {
                // The answer after any reasoning, as templates trim it.
                var answer = assistant[k].Split("</think>")[^1].Trim();
                Assert.True(spans[k].Contains(answer, StringComparison.Ordinal), $"{template} {name}: span {k} '{spans[k]}' lacks '{answer}'");
                Assert.EndsWith(endOfTurn, spans[k]);
            }
            Assert.True(rendered.ResponseSpans.Zip(rendered.ResponseSpans.Skip(1)).All(p => p.First.End.Value <= p.Second.Start.Value), $"{template} {name}: spans overlap");
            var prompt = string.Concat(Enumerable.Range(0, rendered.Text.Length).Where(i => !rendered.ResponseSpans.Any(s => i >= s.Start.Value && i < s.End.Value)).Select(i => rendered.Text[i]));
            foreach (var user in sample.Messages.Where(m => m.Role != ChatMessage.Assistant && m.Content.Trim().Length > 0))
                Assert.Contains(tokenizer.Normalize(user.Content).Trim(), prompt);

            var inspected = new ChatTokenizer(tokenizer, spec, 4096, TruncationPolicy.Error).Inspect(sample);
            // The scored tokens are the span's; a token that starts in the prompt and runs into the span (Mistral's
            // "]<" before "<think>") is prompt, so a span may lose the few characters such a token covers.
            var scored = inspected.Runs().Where(r => r.Scored).Select(r => r.Text).ToList();
            Assert.Equal(spans.Count, scored.Count);
            Assert.All(spans.Zip(scored), p => Assert.True(p.First.EndsWith(p.Second, StringComparison.Ordinal) && p.First.Length - p.Second.Length <= 4,
                $"{template} {name}: scored '{p.Second}' for span '{p.First}'"));
        }
        Assert.True(renderedCount >= 5, $"{template}: only {renderedCount} conversations rendered");
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Rendered_conversations_tokenize_to_Hugging_Faces_ids(string template, string tokenizerDirectory, string endOfTurn)
    {
        using var temp = new TempDirectory();
        var tokenizer = Tokenizer(tokenizerDirectory);
        var spec = Spec(template, tokenizerDirectory, temp);
        var texts = new List<string>();
        foreach (var name in Conversations)
        {
            try { texts.Add(ChatTemplates.Render(spec, tokenizer, Sample(name)).Text); }
            catch (InvalidSampleException) { }
        }
        var reference = HfReference.Encode(RepoPaths.Tokenizer(tokenizerDirectory), texts);
        var equal = texts.Zip(reference).Count(p => tokenizer.Encode(p.First).Ids.SequenceEqual(p.Second.Ids));
        output.WriteLine($"{template} ({tokenizerDirectory}, end of turn {endOfTurn}): {equal}/{texts.Count} rendered conversations with Hugging Face's ids");
        Assert.Equal(texts.Count, equal);
    }

    [Fact]
    public void The_llama3_preset_and_the_models_own_template_score_the_same_text()
    {
        var tokenizer = Tokenizer("llama3");
        // Also contents with characters only Python counts as whitespace (U+001C–U+001F): the preset strips as Python does.
        foreach (var name in Conversations.Append("python-only-whitespace"))
        {
            var sample = Sample(name);
            var preset = ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.Llama3), tokenizer, sample);
            var auto = ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.Auto), tokenizer, sample);
            Assert.Equal(preset.ResponseSpans.Select(s => preset.Text[s]), auto.ResponseSpans.Select(s => auto.Text[s]));
            // The early Llama-3 template in this tokenizer_config.json always ends with an assistant header.
            Assert.StartsWith(preset.Text, auto.Text);
        }
    }

    [Fact]
    public void Qwen3_scores_the_reasoning_it_renders_in_the_last_turn_and_not_the_reasoning_it_drops()
    {
        var tokenizer = Tokenizer("qwen3");
        var rendered = ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.Auto), tokenizer, Sample("reasoning"));
        var spans = rendered.ResponseSpans.Select(s => rendered.Text[s]).ToList();
        Assert.Equal("4<|im_end|>", spans[0]);
        Assert.Equal("<think>\nAgain.\n</think>\n\n6<|im_end|>", spans[1]);
        Assert.DoesNotContain("Add them.", rendered.Text);
    }

    [Fact]
    public void A_preset_that_renders_differently_from_the_models_own_template_is_reported_with_where()
    {
        var difference = ChatTemplates.PresetDifference(new ChatTemplateSpec(ChatTemplateSpec.ChatMl), Tokenizer("qwen3"));
        // Qwen3's own template writes an empty reasoning block before the last answer; the chatml preset does not.
        Assert.NotNull(difference);
        Assert.Contains("<think>", difference);
        Assert.Null(ChatTemplates.PresetDifference(new ChatTemplateSpec(ChatTemplateSpec.Auto), Tokenizer("qwen3")));
        var gpt2 = TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.Gpt2, "gpt2"), RepoPaths.Assets);
        Assert.Null(ChatTemplates.PresetDifference(new ChatTemplateSpec(ChatTemplateSpec.Zephyr), gpt2));
    }

    [Fact]
    public void Auto_without_a_chat_template_is_an_error_naming_the_tokenizer()
    {
        var gpt2 = TokenizerLoader.Load(new TokenizerSpec(TokenizerSpec.Gpt2, "gpt2"), RepoPaths.Assets);
        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.Render(new ChatTemplateSpec(ChatTemplateSpec.Auto), gpt2, Sample("no-system")));
        Assert.Contains("no chat_template", error.Message);
        Assert.Contains(gpt2.Source, error.Message);
    }
}
