using System.CommandLine;
using System.Text.RegularExpressions;

namespace PoFT.Cli.Terminal;

/// <summary>A command line that does not parse — an unknown flag, a missing required one, a value of the wrong
/// type — is reported as a user error is: one line, then a pointer to the verb's <c>--help</c>. System.CommandLine's
/// own action would print the whole help after the error, burying the line that says what is wrong.</summary>
public static class ParseErrors
{
    /// <summary>The exit code of a command line that does not parse, as of any other user error.</summary>
    public const int ExitCode = 1;

    public static int Report(ParseResult parsed, TextWriter error)
    {
        // The first error is the one to fix first; the rest often follow from it (a value taken for a flag).
        error.WriteLine($"error: {Readable(parsed.Errors[0].Message)}");
        error.WriteLine($"see '{HelpCommand(parsed.CommandResult.Command)}'");
        return ExitCode;
    }

    /// <summary>The parser names the .NET type a value failed to convert to ("as expected type 'System.Int32'"); the user
    /// wrote a number, so the message says what kind.</summary>
    public static string Readable(string message) => Regex.Replace(message, @" as expected type '([\w.`\[\], ]+)'", m => ": expected " + m.Groups[1].Value switch
    {
        "System.Int32" or "System.Int64" => "an integer",
        "System.Double" or "System.Single" => "a number",
        "System.Boolean" => "true or false",
        _ => "another value (see --help)",
    });

    /// <summary><c>poft VERB --help</c>, or <c>poft --help</c> where no verb was recognised.</summary>
    private static string HelpCommand(Command command) =>
        command is RootCommand ? "poft --help" : $"poft {command.Name} --help";
}
