using System.CommandLine;
using PoFT.Bench;
using PoFT.Cli.Terminal;
using Spectre.Console;

namespace PoFT.Cli.Commands;

/// <summary><c>bench</c>: speed and memory benchmarks with side-by-side comparisons (docs/performance.md).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var parts = new Option<string>("--parts") { Description = $"comma-separated parts: {string.Join(",", BenchSettings.AllParts)} (the default), and {string.Join(",", BenchSettings.OptInParts)} (only when named: large, a 1.1B model, ~11 GB; precision, the demo's aligned models at each export precision, after ./run.sh demo; data, files of 100k samples in each data layout read; tokenize, long texts through the real tokenizers; bf16, the demo's target trained in fp32 and in bf16; generate, decoding with and without the KV cache, tiny and 100m)", DefaultValueFactory = _ => string.Join(",", BenchSettings.AllParts) };
        var sizes = new Option<string>("--sizes") { Description = "comma-separated model sizes: 20m, 100m (tiny with --quick)", DefaultValueFactory = _ => "20m,100m" };
        var repeats = new Option<int?>("--repeats") { Description = "recorded repeats per figure, after one warm-up (default 5; 2 with --quick)" };
        var samples = new Option<int?>("--samples") { Description = "samples per scoring or training data set (default 64; 16 with --quick)" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op and TorchSharp threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures as JSON to this file" };
        var demo = new Option<DirectoryInfo>("--demo") { Description = "the demo's output, whose aligned models and noisy data the precision part uses", DefaultValueFactory = _ => new DirectoryInfo("runs/demo") };
        var dataSamples = new Option<string?>("--data-samples") { Description = "the data part's file sizes in records, comma-separated (default 100000; 10000 with --quick), e.g. 100000,1000000" };
        var quick = new Option<bool>("--quick") { Description = "tiny model and data, 2 repeats: a smoke test, not a measurement" };
        var command = new Command("bench", "Speed and memory benchmarks: each figure a median over repeats, comparisons interleaved")
        {
            parts, sizes, repeats, samples, threads, json, demo, quick, dataSamples,
        };
        command.SetAction(async (parse, _) =>
        {
            var settings = BenchSettings.Create(List(parse.GetRequiredValue(parts)), List(parse.GetRequiredValue(sizes)),
                parse.GetValue(repeats), parse.GetValue(threads), parse.GetValue(samples), parse.GetValue(quick)) with { DemoDirectory = parse.GetRequiredValue(demo).FullName };
            if (parse.GetValue(dataSamples) is { } counts)
                settings = settings with { DataSamples = [.. List(counts).Select(c => int.TryParse(c, out var n) && n > 0 ? n : throw new ArgumentException($"--data-samples '{c}': expected a positive whole number"))] };
            var report = await BenchRunner.RunAsync(settings, Console.Error.WriteLine);
            BenchTable.Write(report, AnsiConsole.Console);
            if (parse.GetValue(json) is { } file)
                report.WriteJson(file.FullName);
            return 0;
        });
        return command;
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
