using System.CommandLine;
using PoFT.Scorer.Quality;

namespace PoFT.Cli.Commands;

/// <summary><c>score-report</c>: the data-quality report of an existing score file (what <c>score</c> prints and writes
/// at its end), written beside it.</summary>
public static class ScoreReportCommand
{
    public static Command Create()
    {
        var scores = new Option<FileInfo>("--scores") { Description = "score file (.msgpack or .jsonl) of `score` or `merge-scores`", Required = true };
        var data = new Option<FileInfo?>("--data") { Description = "the data that was scored: its is_noise marks give each score's AUC" };
        var lowest = new Option<int>("--lowest") { Description = "how many of the lowest-scoring samples to list per score", DefaultValueFactory = _ => ScoreQualityReport.DefaultLowest };
        var command = new Command("score-report", "Report a score file's data quality: spread per model and of r̄, worst samples, agreement, AUC on is_noise, warnings")
        {
            scores, data, lowest,
        };
        var dataFormat = new DataFormatOptions();
        dataFormat.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(lowest) < 1)
                throw new ArgumentException($"--lowest must be at least 1, not {parse.GetValue(lowest)}");
            Print(ScoreQualityRun.Write(parse.GetRequiredValue(scores).FullName, parse.GetValue(data)?.FullName, dataFormat.Read(parse), parse.GetValue(lowest)));
        });
        return command;
    }

    public static void Print((ScoreQualityReport Report, string Markdown) written)
    {
        Console.WriteLine($"quality of {written.Report.Samples} samples:");
        foreach (var line in ScoreQualityText.ConsoleLines(written.Report))
            Console.WriteLine(line);
        Console.WriteLine($"report: {written.Markdown} (and .json, histograms beside it)");
    }
}
