using System.CommandLine;
using System.Globalization;
using PoFT.Cli.Terminal;
using PoFT.Hybrid;
using PoFT.Scorer.Benchmarks;
using PoFT.Shared;
using PoFT.Shared.Data;
using Spectre.Console;

namespace PoFT.Cli.Commands;

/// <summary><c>eval</c>: benchmark-style accuracy of a model on multiple-choice tasks, from the log-likelihood of each
/// choice's continuation given the context (docs/evaluation.md).</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo?>("--checkpoint") { Description = "checkpoint directory, scored with TorchSharp" };
        var onnx = new Option<DirectoryInfo?>("--onnx") { Description = "`export` directory (model.onnx, config and tokenizer files), scored with ONNX Runtime" };
        var tasks = new Option<FileInfo[]>("--tasks") { Description = "multiple-choice task files (.jsonl, .json or .parquet; layout: docs/evaluation.md), each a task named by its file", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo>("--out") { Description = "JSON file of the results: per task, overall, and each question's log-likelihoods", DefaultValueFactory = _ => new FileInfo("eval.json") };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var command = new Command("eval", "Multiple-choice accuracy (acc, acc_norm as lm-eval-harness defines them) of a checkpoint or an exported model")
        {
            checkpoint, onnx, tasks, output, device, threads,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var (fromCheckpoint, fromOnnx) = (parse.GetValue(checkpoint)?.FullName, parse.GetValue(onnx)?.FullName);
            if ((fromCheckpoint is null) == (fromOnnx is null))
                throw new PoftUserException("eval: give exactly one of --checkpoint DIR and --onnx DIR");
            var read = parse.GetRequiredValue(tasks).Select(f => MultipleChoiceTask.Read(f.FullName)).ToList();
            if (read.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new PoftUserException($"eval: two task files are named '{twice.Key}' ({string.Join(", ", twice.Select(t => t.Path))}); a task is named by its file");
            var (model, backend) = fromCheckpoint is not null
                ? EvalModel.Checkpoint(fromCheckpoint, parse.GetValue(device)!)
                : EvalModel.Onnx(fromOnnx!, parse.GetValue(device)!, parse.GetValue(threads));
            BenchmarkEvaluation result;
            using (model.Model)
            {
                await using var progress = new ProgressDisplay("eval", read.Sum(t => t.Questions.Sum(q => q.Choices.Count)), "continuations");
                result = await BenchmarkEvaluation.RunAsync(fromCheckpoint ?? fromOnnx!, backend, model, read,
                    new Progress<int>(n => progress.Report(n, "")), cancellation);
            }
            var path = parse.GetRequiredValue(output).FullName;
            result.Save(path);
            Write(result, AnsiConsole.Console);
            Console.WriteLine($"results: {path}");
            return 0;
        });
        return command;
    }

    /// <summary>Per task and overall: questions, acc ± its standard error, acc_norm and acc_bytes.</summary>
    public static void Write(BenchmarkEvaluation result, IAnsiConsole console)
    {
        console.MarkupLine(Markup.Escape($"model: {result.Model} ({result.Backend})"));
        var table = new Table().AddColumn("task").AddColumn(new TableColumn("questions").RightAligned()).AddColumn(new TableColumn("acc").RightAligned())
            .AddColumn(new TableColumn("± stderr").RightAligned()).AddColumn(new TableColumn("acc_norm").RightAligned()).AddColumn(new TableColumn("acc_bytes").RightAligned());
        foreach (var a in result.Tasks.Select(t => t.Accuracy).Append(result.Overall))
            table.AddRow(Markup.Escape(a.Task), a.Questions.ToString(CultureInfo.InvariantCulture), F(a.Acc), F(a.AccStderr), F(a.AccNorm), F(a.AccBytes));
        console.Write(table);
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
