using System.CommandLine;
using PoFT.Report;
using PoFT.Shared;

namespace PoFT.Cli.Commands;

/// <summary><c>report</c>: plots and a markdown summary of one or more training runs, overlaid (docs/evaluation.md).</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<DirectoryInfo[]>("RUN_DIR") { Description = "`train` output directories (each with metrics.jsonl)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<DirectoryInfo?>("--out") { Description = "folder for the PNGs and report.md (default: RUN_DIR/report for one run; required for several)" };
        var command = new Command("report", "Plot training runs — loss, held-out CE, τ (clean vs noise), learning rate — overlaid, with a markdown summary") { runs, output };
        command.SetAction(parse =>
        {
            var directories = parse.GetRequiredValue(runs);
            var target = parse.GetValue(output)?.FullName
                ?? (directories.Length == 1 ? Path.Combine(directories[0].FullName, "report")
                    : throw new PoftUserException("report: several runs need --out DIR (where their overlaid plots go)"));
            var histories = directories.Select(d => RunHistory.Read(d.FullName, Label(d, directories))).ToList();
            RunReport.Write(histories, target);
            Console.WriteLine($"report: {Path.Combine(target, RunReport.MarkdownFile)}");
            return 0;
        });
        return command;
    }

    /// <summary>A run's name in legends: its folder's name, or its path as given where two runs share a name.</summary>
    private static string Label(DirectoryInfo run, DirectoryInfo[] all) =>
        all.Count(d => d.Name == run.Name) > 1 ? Path.GetRelativePath(Environment.CurrentDirectory, run.FullName) : run.Name;
}
