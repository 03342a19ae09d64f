using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PoFT.Text.Jinja;

/// <summary>
/// What one render has spent of its <see cref="SandboxLimits"/>: open calls, loop iterations, time, and the
/// length any output or value may reach (the allowance plus a share of the input's length). A breach is a
/// <see cref="TemplateError"/> that names the limit; the statement being executed adds the line.
/// </summary>
internal sealed class RenderBudget(SandboxLimits limits, long inputCharacters)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _iterations;
    private int _depth;

    /// <summary>The most characters of output, or characters or items of one value.</summary>
    public long MaxLength { get; } = limits.OutputAllowance + limits.OutputPerInputCharacter * inputCharacters;

    public void Iteration()
    {
        if (++_iterations > limits.MaxLoopIterations)
            throw new TemplateError($"the template runs more than {limits.MaxLoopIterations:N0} loop iterations in one render (the sandbox's limit)");
        CheckTime();
    }

    /// <summary>Enters a macro call; dispose to leave it.</summary>
    public CallScope Call(string name)
    {
        if (_depth >= limits.MaxCallDepth)
            throw new TemplateError($"macro '{name}' nests calls more than {limits.MaxCallDepth} deep (the sandbox's limit; is it recursive without end?)");
        CheckStack();
        CheckTime();
        _depth++;
        return new CallScope(this);
    }

    /// <summary>Refuses a result of <paramref name="length"/> characters or items before it is built.</summary>
    public void Length(long length, string what)
    {
        if (length > MaxLength)
            throw new TemplateError($"{what} would be {length:N0} long, more than the sandbox allows for this input ({MaxLength:N0})");
    }

    /// <summary>A template nested deeper than the interpreter's stack allows (expressions, blocks) is refused, not a crash.</summary>
    public static void CheckStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new TemplateError("the template nests too deeply for the interpreter's stack (the sandbox's limit)");
    }

    private void CheckTime()
    {
        var elapsed = Stopwatch.GetElapsedTime(_start);
        if (elapsed > limits.MaxRenderTime)
            throw new TemplateError($"the render takes more than {limits.MaxRenderTime.TotalSeconds:0.###} s (the sandbox's limit)");
    }

    public readonly struct CallScope(RenderBudget budget) : IDisposable
    {
        public void Dispose() => budget._depth--;
    }
}
