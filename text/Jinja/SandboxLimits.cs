namespace PoFT.Text.Jinja;

/// <summary>
/// What one render of a chat template may spend. transformers renders with jinja2's ImmutableSandboxedEnvironment,
/// which bounds one <c>range()</c> (MAX_RANGE) and relies on Python's recursion limit and MemoryError for the rest;
/// here every way a template can run away is bounded and refused with a <see cref="ChatTemplateException"/>
/// naming the template, the line and the limit. Real chat templates stay far below each limit: over the 4,608
/// renders of the real-template tests (tests/Chat/Jinja/RealChatTemplateTests.cs: 9 templates and the 95 of Ollama's
/// automap) at most one macro call is open at a time, one render runs at most 138 loop iterations, writes at most
/// 1,544 characters and takes at most 29 ms (the first, cold render) — docs/reliability.md#chat-template-sandbox.
/// </summary>
/// <param name="MaxCallDepth">Macro and <c>caller()</c> calls open at once.</param>
/// <param name="MaxLoopIterations">Loop iterations of one render, all loops together.</param>
/// <param name="OutputAllowance">Characters any output or value may hold regardless of the input.</param>
/// <param name="OutputPerInputCharacter">Characters more allowed per character of the variables' strings.</param>
/// <param name="MaxRenderTime">Wall-clock time of one render, checked at each loop iteration and call.</param>
public sealed record SandboxLimits(int MaxCallDepth, long MaxLoopIterations, long OutputAllowance, long OutputPerInputCharacter, TimeSpan MaxRenderTime)
{
    /// <summary>
    /// Python's default recursion limit is 1000 frames and a jinja2 macro call costs about ten of them, so jinja2 itself
    /// fails near 100 levels; 64 stays below that and far above real templates (1), and keeps the interpreter's own
    /// stack (about 15 frames a level) far from its end.
    /// </summary>
    public const int DefaultMaxCallDepth = 64;

    /// <summary>
    /// Ten times jinja2's MAX_RANGE (100,000, which bounds one loop only): a simple iteration costs about a
    /// microsecond, so the total stays near a second, while real templates iterate once or a few times per message
    /// (at most 138 in one render of the tests' conversations).
    /// </summary>
    public const long DefaultMaxLoopIterations = 1_000_000;

    /// <summary>1 Mi characters: the headers, default system prompt and tool descriptions a template writes itself
    /// (real renders of short conversations: under 2 Ki characters in all), with room to spare.</summary>
    public const long DefaultOutputAllowance = 1 << 20;

    /// <summary>
    /// A template writes each message a bounded number of times (real ones: once per render, tool calls also as
    /// JSON, whose escaping can double a character); 16 per input character covers that with margin, while a template
    /// that multiplies text (<c>'x' * 10**7</c>, a string doubled in a loop) is refused before it fills memory.
    /// </summary>
    public const long DefaultOutputPerInputCharacter = 16;

    /// <summary>10 s: real templates render in milliseconds, even for conversations of megabytes.</summary>
    public static readonly TimeSpan DefaultMaxRenderTime = TimeSpan.FromSeconds(10);

    public static SandboxLimits Default { get; } = new(DefaultMaxCallDepth, DefaultMaxLoopIterations,
        DefaultOutputAllowance, DefaultOutputPerInputCharacter, DefaultMaxRenderTime);
}
