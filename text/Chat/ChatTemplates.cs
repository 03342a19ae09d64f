using PoFT.Shared.Manifest;
using PoFT.Shared.Data;
using PoFT.Text.Tokenizers;

namespace PoFT.Text.Chat;

/// <summary>
/// Renders a conversation as the family's Hugging Face chat template does (without a generation prompt):
/// <list type="bullet">
/// <item><c>llama3</c>: <c>&lt;|begin_of_text|&gt;</c>, then per message
/// <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content.strip()}&lt;|eot_id|&gt;</c>.</item>
/// <item><c>chatml</c> (Qwen, Yi; no default system prompt): <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>.</item>
/// <item><c>zephyr</c>: <c>&lt;|{role}|&gt;\n{content}{eos}\n</c>.</item>
/// <item><c>mistral-inst</c> (v0.1): <c>{bos}</c>, then <c>[INST] {user} [/INST]{assistant}{eos}</c> per exchange;
/// a system message is prepended to the first user message, separated by a blank line.</item>
/// <item><c>plain</c> (base models): <c>{bos}</c> when the tokenizer has one, system and user contents each
/// followed by a blank line, assistant contents followed by <c>{eos}</c>.</item>
/// <item><c>custom</c>: optional <c>{bos}</c>, then per message <c>{prefix}{content}{suffix}</c> of its role.</item>
/// </list>
/// The end-of-turn marker after each assistant content (<c>&lt;|eot_id|&gt;</c>, <c>&lt;|im_end|&gt;</c>, eos, the
/// custom assistant suffix) is part of the response: the model must learn to stop.
/// </summary>
public static class ChatTemplates
{
    public static RenderedConversation Render(ChatTemplateSpec template, ModelTokenizer tokenizer, SftSample sample)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Validate(sample);
        var messages = sample.Messages.Select(m => m with { Content = tokenizer.Normalize(m.Content) }).ToList();
        if (template.IsJinja)
            return HfChatTemplate.For(template, tokenizer).Render(sample.Id, messages);
        var writer = new ConversationWriter();
        switch (template.Family)
        {
            case ChatTemplateSpec.Llama3:
                writer.Prompt(Require(tokenizer, "<|begin_of_text|>", template));
                foreach (var m in messages)
                {
                    writer.Prompt($"<|start_header_id|>{m.Role}<|end_header_id|>\n\n");
                    // Python's str.strip(), as the template's `| trim` is: it strips U+001C–U+001F too, which .NET's Trim() keeps.
                    Turn(writer, m, Jinja.PyStrings.Strip(m.Content), Require(tokenizer, "<|eot_id|>", template));
                }
                break;
            case ChatTemplateSpec.ChatMl:
                foreach (var m in messages)
                {
                    writer.Prompt($"{Require(tokenizer, "<|im_start|>", template)}{m.Role}\n");
                    Turn(writer, m, m.Content, Require(tokenizer, "<|im_end|>", template));
                    writer.Prompt("\n");
                }
                break;
            case ChatTemplateSpec.Zephyr:
                foreach (var m in messages)
                {
                    writer.Prompt($"<|{m.Role}|>\n");
                    Turn(writer, m, m.Content, Eos(tokenizer, template));
                    writer.Prompt("\n");
                }
                break;
            case ChatTemplateSpec.MistralInst:
                RenderMistral(writer, template, tokenizer, sample.Id, messages);
                break;
            case ChatTemplateSpec.Plain:
                if (tokenizer.Bos is { } bos)
                    writer.Prompt(bos.Text);
                foreach (var m in messages)
                {
                    if (m.Role == ChatMessage.Assistant)
                        writer.Response(m.Content, Eos(tokenizer, template));
                    else
                        writer.Prompt(m.Content + "\n\n");
                }
                break;
            case ChatTemplateSpec.Custom:
                RenderCustom(writer, template, tokenizer, sample.Id, messages);
                break;
            default:
                throw new ArgumentException($"chat template field 'family': '{template.Family}' is not one of {string.Join(", ", ChatTemplateSpec.Families)}");
        }
        return writer.ToConversation();
    }

    private static readonly System.Text.Json.JsonSerializerOptions Quoted = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Where a preset family renders <see cref="ChatTokenizer.Probe"/> differently from the model's own
    /// chat_template (null where they agree, or where the spec is a Jinja template or the model has none): presets
    /// approximate families, and a model's own template is what it was trained with.</summary>

    public static string? PresetDifference(ChatTemplateSpec template, ModelTokenizer tokenizer)
    {
        if (template.IsJinja || TokenizerConfigFile.ChatTemplate(tokenizer) is null)
            return null;
        var preset = Render(template, tokenizer, ChatTokenizer.Probe).Text;
        var own = Render(new ChatTemplateSpec(ChatTemplateSpec.Auto, Kwargs: template.Kwargs), tokenizer, ChatTokenizer.Probe).Text;
        if (preset == own)
            return null;
        var at = 0;
        while (at < Math.Min(preset.Length, own.Length) && preset[at] == own[at])
            at++;
        static string Around(string text, int at) => System.Text.Json.JsonSerializer.Serialize(text[Math.Max(0, at - 20)..Math.Min(text.Length, at + 40)], Quoted);
        return $"template '{template.Family}' renders the probe conversation differently from the model's own chat_template " +
            $"from character {at}: {Around(preset, at)} vs {Around(own, at)} (use \"auto\" to score with the model's own)";
    }

    private static void Turn(ConversationWriter writer, ChatMessage message, string content, string endOfTurn)
    {
        if (message.Role == ChatMessage.Assistant)
            writer.Response(content, endOfTurn);
        else
            writer.Prompt(content + endOfTurn);
    }

    private static void RenderMistral(ConversationWriter writer, ChatTemplateSpec template, ModelTokenizer tokenizer, string sampleId, List<ChatMessage> messages)
    {
        var bos = tokenizer.Bos?.Text ?? throw new ArgumentException($"chat template '{template.Family}' needs a bos token, which {tokenizer.Source} lacks");
        var eos = Eos(tokenizer, template);
        string? system = null;
        if (messages[0].Role == ChatMessage.System)
        {
            system = messages[0].Content;
            messages.RemoveAt(0);
        }
        writer.Prompt(bos);
        for (var i = 0; i < messages.Count; i++)
        {
            var expected = i % 2 == 0 ? ChatMessage.User : ChatMessage.Assistant;
            if (messages[i].Role != expected)
                throw new InvalidSampleException(sampleId, $"template '{template.Family}' needs user and assistant turns alternating after an optional leading system message; turn {i} is '{messages[i].Role}'");
            if (expected == ChatMessage.Assistant)
                writer.Response(messages[i].Content, eos);
            else
                writer.Prompt($"[INST] {(i == 0 && system is not null ? system + "\n\n" : "")}{messages[i].Content} [/INST]");
        }
    }

    private static void RenderCustom(ConversationWriter writer, ChatTemplateSpec template, ModelTokenizer tokenizer, string sampleId, List<ChatMessage> messages)
    {
        var roles = template.Roles ?? throw new ArgumentException("chat template 'custom': field 'roles' is required");
        if (template.AddBos)
            writer.Prompt(tokenizer.Bos?.Text ?? throw new ArgumentException($"chat template 'custom' sets add_bos, but {tokenizer.Source} has no bos token"));
        foreach (var m in messages)
        {
            var affixes = roles.GetValueOrDefault(m.Role)
                ?? throw new InvalidSampleException(sampleId, $"chat template 'custom' has no field 'roles.{m.Role}'");
            writer.Prompt(affixes.Prefix);
            Turn(writer, m, m.Content, affixes.Suffix);
        }
    }

    private static string Eos(ModelTokenizer tokenizer, ChatTemplateSpec template) =>
        tokenizer.Eos?.Text ?? throw new ArgumentException($"chat template '{template.Family}' needs an eos token, which {tokenizer.Source} lacks");

    // A template's control token must be one token of the model's tokenizer, or the template does not fit it.
    private static string Require(ModelTokenizer tokenizer, string token, ChatTemplateSpec template) =>
        tokenizer.SpecialTokens.ContainsKey(token)
            ? token
            : throw new ArgumentException($"chat template '{template.Family}' needs the control token '{token}', which {tokenizer.Source} lacks");

    private static void Validate(SftSample sample)
    {
        if (sample.Messages.Count == 0)
            throw new InvalidSampleException(sample.Id, "no messages");
        for (var i = 0; i < sample.Messages.Count; i++)
        {
            var m = sample.Messages[i];
            if (!ChatMessage.Roles.Contains(m.Role))
                throw new InvalidSampleException(sample.Id, $"message {i} has role '{m.Role}' (expected one of {string.Join(", ", ChatMessage.Roles)})");
            if (m.Role == ChatMessage.Assistant && string.IsNullOrWhiteSpace(m.Content))
                throw new InvalidSampleException(sample.Id, $"message {i} is an assistant message with empty content");
        }
        if (sample.ScoredFrom < 0 || sample.ScoredFrom >= sample.Messages.Count)
            throw new InvalidSampleException(sample.Id, $"ScoredFrom {sample.ScoredFrom} is not the index of one of its {sample.Messages.Count} messages");
        if (!Enumerable.Range(0, sample.Messages.Count).Any(sample.IsResponse))
            throw new InvalidSampleException(sample.Id, sample.ScoredFrom == 0 && sample.ContextTurns is not { Count: > 0 }
                ? "no assistant message (nothing to score)"
                : $"no assistant message from message {sample.ScoredFrom} (ScoredFrom) on that is not context (weight 0) (nothing to score)");
    }
}
