using System.CommandLine;
using PoFT.Cli.Commands;
using PoFT.Cli.Terminal;
using PoFT.Trainer.Model;

HostMemory.Configure();
var root = new RootCommand("PoFT.Hybrid: preference-oriented SFT with ONNX Runtime scoring and TorchSharp training")
{
    InitModelCommand.Create(),
    ExportCommand.Create(),
    MergeCommand.Create(),
    GenerateCommand.Create(),
    ChatCommand.Create(),
    ScoreCommand.Create(),
    MergeScoresCommand.Create(),
    ScoreReportCommand.Create(),
    FilterCommand.Create(),
    TrainCommand.Create(),
    EvalCommand.Create(),
    ReportCommand.Create(),
    DemoCommand.Create(),
    BenchCommand.Create(),
    InspectCommand.Create(),
    PlanCommand.Create(),
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
    return ParseErrors.Report(parsed, Console.Error);
try
{
    return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (UserError.Is(e))
{
    // Bad input is the user's to fix: one line naming the file and field, no stack trace. Anything else is a bug
    // and escapes with its trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
