using PoFT.Shared;

namespace PoFT.Text.Jinja;

/// <summary>
/// A chat template that does not parse or does not render: names the template (its model), the template line
/// and what failed. <see cref="RaisedByTemplate"/> marks the template's own <c>raise_exception(message)</c>, by
/// which templates refuse a conversation (roles not alternating, unsupported role, ...).
/// </summary>
public sealed class ChatTemplateException(string template, int line, string reason, bool raisedByTemplate = false)
    : PoftUserException($"chat template '{template}', line {line}: {reason}")
{
    public string Template { get; } = template;
    public int Line { get; } = line;
    public string Reason { get; } = reason;
    public bool RaisedByTemplate { get; } = raisedByTemplate;
}

/// <summary>
/// What Python would raise while rendering (TypeError, UndefinedError, ...), before the interpreter knows the line:
/// the statement being executed fills it in and turns it into a <see cref="ChatTemplateException"/>.
/// </summary>
internal sealed class TemplateError(string message, bool raisedByTemplate = false) : Exception(message)
{
    public int Line { get; set; }
    public bool RaisedByTemplate { get; } = raisedByTemplate;
}
