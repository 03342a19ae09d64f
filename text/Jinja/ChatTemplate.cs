namespace PoFT.Text.Jinja;

/// <summary>
/// A Hugging Face chat template (the <c>chat_template</c> of tokenizer_config.json), rendered with Python jinja2's
/// semantics as transformers' <c>apply_chat_template</c> configures it: a sandbox that refuses to mutate lists and
/// dicts, <c>trim_blocks</c> and <c>lstrip_blocks</c>, the loop controls <c>break</c>/<c>continue</c>, the
/// <c>generation</c> tag, and the globals <c>raise_exception</c> and <c>strftime_now</c>. Parsed once; rendering is
/// thread-safe. Variables are what apply_chat_template passes: <c>messages</c> (a list of dicts),
/// <c>add_generation_prompt</c>, the special tokens (<c>bos_token</c>, <c>eos_token</c>, ...), <c>tools</c> and kwargs.
/// Each render is bounded by <see cref="SandboxLimits"/>: call depth, loop iterations, output length and time.
/// </summary>
public sealed class ChatTemplate
{
    private readonly IReadOnlyList<Node> _body;
    private readonly TimeProvider _clock;
    private readonly SandboxLimits _limits;

    private ChatTemplate(string name, IReadOnlyList<Node> body, TimeProvider clock, SandboxLimits limits) =>
        (Name, _body, _clock, _limits) = (name, body, clock, limits);

    /// <summary>The template's name in errors: the file it comes from.</summary>
    public string Name { get; }

    /// <param name="source">The template text.</param>
    /// <param name="name">Names the template (the file it comes from) in errors.</param>
    /// <param name="clock">What <c>strftime_now</c> reads (local time); a fixed one makes renders reproducible.</param>
    /// <param name="limits">What one render may spend; <see cref="SandboxLimits.Default"/> where not given.</param>
    /// <exception cref="ChatTemplateException">The template does not parse: names the line and what is wrong.</exception>
    public static ChatTemplate Parse(string source, string name, TimeProvider? clock = null, SandboxLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new ChatTemplate(name, Parser.Parse(name, source), clock ?? TimeProvider.System, limits ?? SandboxLimits.Default);
    }

    /// <exception cref="ChatTemplateException">Rendering failed, or the template refused the conversation (raise_exception).</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables) => RenderWithGeneration(variables).Text;

    /// <summary>Renders, and says where the template's <c>{% generation %}</c> blocks landed.</summary>
    /// <exception cref="ChatTemplateException">Rendering failed, exceeded a sandbox limit, or the template refused the
    /// conversation (raise_exception).</exception>
    public ChatTemplateOutput RenderWithGeneration(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var globals = Globals.Create(_clock);
        long inputCharacters = 0;
        foreach (var (key, value) in variables)
        {
            globals[key] = ClrValues.From(value);
            inputCharacters += Characters(globals[key]);
        }
        return Interpreter.Render(Name, _body, globals, new RenderBudget(_limits, inputCharacters));
    }

    // The characters of the strings a value holds, keys included: what the output may grow with.
    private static long Characters(object? value) => value switch
    {
        string s => s.Length,
        List<object?> list => list.Sum(Characters),
        object?[] tuple => tuple.Sum(Characters),
        PyDict dict => dict.Sum(kv => Characters(kv.Key) + Characters(kv.Value)),
        _ => 0,
    };
}
