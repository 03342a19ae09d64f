using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;
using PoFT.Cli.Commands;
using PoFT.Tests.Support;

namespace PoFT.Tests.Docs;

/// <summary>The README's verb table says what each verb's <c>--help</c> says: every flag a row names is an option of
/// that verb, and a row that lists options lists all of them (train's are the config's, in docs/training.md).</summary>
public sealed partial class VerbTableTests
{
    /// <summary>The verbs as <c>poft</c> builds them: each command class's <c>Create()</c>, the options its help lists.</summary>
    private static readonly Dictionary<string, Command> Verbs = typeof(TrainCommand).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(TrainCommand).Namespace && t.GetMethod("Create", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes) is { ReturnType: var r } && r == typeof(Command))
        .Select(t => (Command)t.GetMethod("Create", Type.EmptyTypes)!.Invoke(null, null)!)
        .ToDictionary(c => c.Name);

    /// <summary>Verbs whose row points to another page for their options rather than listing them.</summary>
    private static readonly HashSet<string> OptionsElsewhere = ["train"];

    [GeneratedRegex(@"^\| `([a-z-]+)` \| (.*) \|$")]
    private static partial Regex Row();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9-]*")]
    private static partial Regex Flag();

    private static IEnumerable<(string Verb, string Text)> Rows() =>
        File.ReadLines(Path.Combine(RepoPaths.Root, "README.md")).Select(l => Row().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).Where(r => Verbs.ContainsKey(r.Item1));

    private static HashSet<string> Options(Command command) =>
        [.. command.Options.Where(o => !o.Hidden && o.Name != "--help").SelectMany(o => o.Aliases.Append(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal))];

    [Fact]
    public void Every_verb_of_poft_has_a_row() =>
        Assert.Empty(Verbs.Keys.Except(Rows().Select(r => r.Verb)));

    /// <summary>run.sh forwards the verbs its usage lists (and refuses others before building): a verb of poft missing
    /// there is one `./run.sh VERB` refuses although the docs show it.</summary>
    [Fact]
    public void Every_verb_of_poft_is_listed_by_run_sh_which_forwards_what_it_lists()
    {
        var script = File.ReadAllText(Path.Combine(RepoPaths.Root, "run.sh"));
        var usage = script[script.IndexOf("<<'HELP'", StringComparison.Ordinal)..script.IndexOf("\nHELP\n", StringComparison.Ordinal)];
        var listed = usage.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal) && l.Length > 2 && char.IsAsciiLetterLower(l[2]))
            .Select(l => l.Trim().Split(' ')[0]).ToHashSet();
        Assert.Empty(Verbs.Keys.Except(listed));
        Assert.Empty(listed.Except(Verbs.Keys).Except(["test"]));
    }

    [Fact]
    public void Every_flag_a_row_names_is_an_option_of_its_verb()
    {
        var unknown = Rows().SelectMany(r => Flag().Matches(r.Text).Select(m => m.Value).Where(f => !Options(Verbs[r.Verb]).Contains(f)).Select(f => $"{r.Verb} {f}"));
        Assert.True(!unknown.Any(), "in the README's verb table, not in --help: " + string.Join(", ", unknown));
    }

    [Fact]
    public void A_row_that_lists_options_lists_every_option_of_its_verb()
    {
        var missing = Rows().Where(r => !OptionsElsewhere.Contains(r.Verb) && Flag().IsMatch(r.Text))
            .SelectMany(r => Verbs[r.Verb].Options.Where(o => !o.Hidden && o.Name != "--help" && o.Name.StartsWith("--", StringComparison.Ordinal))
                .Where(o => !Flag().Matches(r.Text).Any(m => o.Aliases.Append(o.Name).Contains(m.Value))).Select(o => $"{r.Verb} {o.Name}"));
        Assert.True(!missing.Any(), "in --help, not in the README's verb table: " + string.Join(", ", missing));
    }
}
