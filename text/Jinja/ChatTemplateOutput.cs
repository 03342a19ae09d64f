namespace PoFT.Text.Jinja;

/// <summary>
/// A rendered chat template: its text, and where each <c>{% generation %}</c> block's output lies in it (the
/// assistant text a model is trained on, in templates that mark it), as transformers' AssistantTracker records.
/// </summary>
public sealed record ChatTemplateOutput(string Text, IReadOnlyList<GenerationSpan> Generation);
