using System.CommandLine;
using PoFT.Cli.Demo;
using PoFT.Cli.Terminal;

namespace PoFT.Cli.Commands;

/// <summary><c>demo</c>: the end-to-end run (README "Demo").</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "where the run's data, models and metrics go", DefaultValueFactory = _ => new DirectoryInfo("runs/demo") };
        var assets = new Option<DirectoryInfo>("--assets") { Description = "tokenizer files fetched by scripts/fetch-assets.sh", DefaultValueFactory = _ => new DirectoryInfo(".cache/assets") };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var command = new Command("demo", "The end-to-end run: aligned models, online PoFT training, export, scoring") { output, assets, seed };
        command.SetAction(async (parse, _) =>
        {
            using var signal = new ShutdownSignal();
            await new SmokeDemo(parse.GetRequiredValue(output).FullName, parse.GetRequiredValue(assets).FullName, parse.GetValue(seed)).RunAsync(signal.Token);
            return 0;
        });
        return command;
    }
}
