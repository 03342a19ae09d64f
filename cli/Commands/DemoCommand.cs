using System.CommandLine;
using System.Globalization;
using PoFT.Cli.Terminal;
using PoFT.Experiment;

namespace PoFT.Cli.Commands;

/// <summary><c>demo</c>: the noise-robustness experiment on WordNet data (docs/demo.md).</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "where the run's data, models, runs and report go", DefaultValueFactory = _ => new DirectoryInfo("runs/demo") };
        var cache = new Option<DirectoryInfo>("--cache") { Description = "where the base and aligned models are kept between runs, keyed by their inputs", DefaultValueFactory = _ => new DirectoryInfo(".cache/demo") };
        var assets = new Option<DirectoryInfo>("--assets") { Description = "tokenizer and WordNet files fetched by scripts/fetch-assets.sh", DefaultValueFactory = _ => new DirectoryInfo(".cache/assets") };
        var seeds = new Option<int>("--seeds") { Description = "seeds per noise level (noise draw and data order)", DefaultValueFactory = _ => 1 };
        var noise = new Option<string>("--noise") { Description = "noise fractions of the training data, comma-separated, each in [0, 1)", DefaultValueFactory = _ => "0.4" };
        var quick = new Option<bool>("--quick") { Description = "a few-minute version of the same pipeline (small data and models): for a first look and CI, not for conclusions" };
        var dpo = new Option<bool>("--dpo") { Description = "then DPO on WordNet preference pairs from the CE and the PoFT target of the highest noise level, every seed (PoFT → DPO vs CE → DPO)" };
        var baselines = new Option<bool>("--baselines") { Description = "also the other robust-SFT rows: CE and PoFT filtered by IFD (keep-top-ifd), and DFT" };
        var command = new Command("demo", "PoFT vs CE on noisy WordNet SFT data: aligned models, online scoring, a report with plots") { output, cache, assets, seeds, noise, quick, dpo, baselines };
        command.SetAction(async (parse, _) =>
        {
            var seedCount = parse.GetValue(seeds);
            if (seedCount < 1)
                throw new ArgumentException($"--seeds {seedCount}: expected at least 1");
            var settings = new DemoSettings(parse.GetRequiredValue(output).FullName, parse.GetRequiredValue(cache).FullName, parse.GetRequiredValue(assets).FullName,
                seedCount, ParseNoise(parse.GetRequiredValue(noise)), parse.GetValue(quick),
                Environment.GetEnvironmentVariable("POFT_COMMAND") is { Length: > 0 } shown ? shown : "poft " + string.Join(' ', parse.Tokens.Select(t => t.Value)),
                parse.GetValue(dpo), parse.GetValue(baselines));
            using var signal = new ShutdownSignal();
            try
            {
                await new NoiseExperiment(settings, Console.WriteLine, title => new TrainingProgress(title, totalSteps: 0)).RunAsync(signal.Token);
            }
            catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
            {
                // Finished runs and built models are kept; the stage that was stopped left nothing under its key.
                Console.Error.WriteLine("demo: stopped; the same command continues where it stopped");
                return ShutdownSignal.ExitCode;
            }
            return 0;
        });
        return command;
    }

    public static IReadOnlyList<double> ParseNoise(string text)
    {
        var levels = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var level) || level < 0 || level >= 1)
                throw new ArgumentException($"--noise '{text}': '{part}' is not a fraction in [0, 1)");
            levels.Add(level);
        }
        return [.. levels.Distinct().Order()];
    }
}
