using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Text.Tokenizers;

namespace PoFT.Text.Chat;

/// <summary>
/// What a model is given to answer a conversation, and what ends its answer, under a chat template: the text
/// <c>apply_chat_template(add_generation_prompt=True)</c> renders (for a preset family, the render of the
/// conversation with an assistant turn appended, up to that turn's content), and the end-of-turn the template
/// writes after an assistant's content (<c>&lt;|eot_id|&gt;</c>, <c>&lt;|im_end|&gt;</c>, eos, a custom suffix): the
/// same span <see cref="ChatTemplates.Render"/> scores as the end of a response, so that generation stops where
/// training taught the model to.
/// </summary>
/// <param name="Text">The prompt, ending where the answer starts.</param>
/// <param name="EndOfTurn">What closes an assistant turn (may be empty where the template writes nothing).</param>
public sealed record GenerationPrompt(string Text, string EndOfTurn)
{
    /// <summary>A private-use character no template strips, splits on or rewrites (not HfChatTemplate's own marker,
    /// which it adds to this content to find its span).</summary>
    private const string Marker = "\uE001";

    /// <param name="messages">The conversation so far, ending with a user (or system) turn.</param>
    /// <exception cref="InvalidSampleException">The template refuses the conversation.</exception>
    public static GenerationPrompt For(ChatTemplateSpec template, ModelTokenizer tokenizer, IReadOnlyList<ChatMessage> messages)
    {
        if (messages.Count == 0 || messages[^1].Role == ChatMessage.Assistant)
            throw new ArgumentException("a conversation to answer ends with a user or system message");
        var answered = new SftSample("prompt", [.. messages, new ChatMessage(ChatMessage.Assistant, Marker)]);
        var rendered = ChatTemplates.Render(template, tokenizer, answered);
        var at = rendered.Text.LastIndexOf(Marker, StringComparison.Ordinal);
        var endOfTurn = rendered.Text[(at + Marker.Length)..rendered.ResponseSpans[^1].End.Value];
        var text = template.IsJinja
            ? HfChatTemplate.For(template, tokenizer).GenerationPrompt([.. messages.Select(m => m with { Content = tokenizer.Normalize(m.Content) })])
            : rendered.Text[..at];
        return new GenerationPrompt(text, endOfTurn);
    }
}
