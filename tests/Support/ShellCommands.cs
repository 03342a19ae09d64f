using System.Text.RegularExpressions;

namespace PoFT.Tests.Support;

/// <summary>The commands of a shell code block, each as a user pastes it: comments and blank lines left out, a
/// line ending in a backslash joined with the next, a here-document kept with the command that opens it.</summary>
public static partial class ShellCommands
{
    public static IEnumerable<string> Split(IReadOnlyList<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var command = new List<string> { lines[i] };
            while (command[^1].EndsWith('\\') && i + 1 < lines.Count)
                command.Add(lines[++i]);
            if (HereDocument().Match(command[^1]) is { Success: true } here)
            {
                var end = here.Groups[1].Value;
                do
                {
                    if (++i >= lines.Count)
                        throw new FormatException($"here-document '{end}' is not closed");
                    command.Add(lines[i]);
                } while (lines[i] != end);
            }
            yield return string.Join('\n', command);
        }
    }

    [GeneratedRegex(@"<<-?\s*['""]?(\w+)['""]?")]
    private static partial Regex HereDocument();
}
