using PoFT.Shared;

namespace PoFT.Cli.Terminal;

/// <summary>
/// Which exceptions <c>poft</c> reports as the user's to fix — one line, exit code 1 — and which are bugs, left to
/// escape with their stack trace. The user's: the project's refusals (<see cref="PoftUserException"/> and its
/// kinds) and a missing file, directory or disk space (<see cref="IOException"/>).
/// </summary>
public static class UserError
{
    // Older refusals of flags, config values and files are these plain .NET types, thrown by the project with a
    // message naming the flag or field (tests pin their types). Thrown from inside .NET or a library — Single() on
    // an empty sequence, a duplicate dictionary key — the same types are bugs, and so are their subclasses
    // (ArgumentNullException, ArgumentOutOfRangeException, ObjectDisposedException).
    private static readonly Type[] PlainRefusals =
        [typeof(ArgumentException), typeof(InvalidOperationException), typeof(FormatException), typeof(InvalidDataException)];

    public static bool Is(Exception e) => e is PoftUserException or IOException || IsProjectRefusal(e);

    // TargetSite is the method the exception was thrown in (a lambda or an async method's state machine is nested in
    // its declaring type, whose namespace it reports); rethrowing across an await keeps it.
    private static bool IsProjectRefusal(Exception e) =>
        PlainRefusals.Contains(e.GetType()) && e.TargetSite?.DeclaringType?.Namespace?.StartsWith("PoFT.", StringComparison.Ordinal) == true;
}
