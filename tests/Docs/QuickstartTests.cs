using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PoFT.Tests.Support;
using Xunit.Abstractions;

namespace PoFT.Tests.Docs;

/// <summary>The README's "Train on your own data" runs as written: every command of its shell blocks, in order,
/// in a fresh folder holding what a clone holds for it (examples/ and the fetched tokenizers it names), with
/// <c>./run.sh VERB</c> running the <c>poft</c> built beside the tests instead of building again.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed partial class QuickstartTests(ITestOutputHelper log) : IDisposable
{
    private const string Section = "Train on your own data", Output = "runs/quickstart/";

    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task The_readme_quickstart_runs_as_written_and_trains_with_PoFT()
    {
        var readme = MarkdownFile.Read(Path.Combine(RepoPaths.Root, "README.md")).Section(Section);
        var commands = readme.CodeBlocks().Where(b => b.Language == "bash").SelectMany(b => ShellCommands.Split(b.Lines)).ToList();
        Assert.Contains(commands, c => c.StartsWith("./run.sh train", StringComparison.Ordinal));
        PrepareClone(commands);
        var before = Files();

        var outputs = new List<(string Command, string Output)>();
        foreach (var command in commands)
        {
            var clock = Stopwatch.StartNew();
            var (exit, output, error) = await Bash(command);
            log.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {command.Split('\n')[0]}");
            Assert.True(exit == 0, $"`{command}` exited {exit}:\n{error}\n{output}");
            outputs.Add((command, output));
        }

        Assert.All(Files().Except(before), f => Assert.StartsWith(Output, f, StringComparison.Ordinal));
        var manifest = JsonNode.Parse(File.ReadAllText(Work("runs/quickstart/models-manifest.json")))!["models"]!.AsArray();
        Assert.True(manifest.Count >= 1);
        foreach (var model in manifest)
            Assert.True(File.Exists(Path.Combine(Work("runs/quickstart"), (string)model!["onnx"]!)), $"{model["name"]}: its export is missing");
        var inspected = outputs.Single(o => o.Command.StartsWith("./run.sh inspect", StringComparison.Ordinal)).Output;
        Assert.All(manifest, m => Assert.Contains($"· {m!["name"]}: ", inspected, StringComparison.Ordinal));
        Assert.Contains("⟦", inspected, StringComparison.Ordinal);

        // The PoFT run trained on scores from the aligned models: every step has a τ, and it left a checkpoint.
        var steps = File.ReadLines(Work("runs/quickstart/poft/metrics.jsonl")).Select(l => JsonNode.Parse(l)!).Where(r => (string?)r["kind"] == "step").ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.True(s["tau_mean"] is JsonValue tau && double.IsFinite(tau.GetValue<double>()), s.ToJsonString()));
        Assert.True(File.Exists(Work("runs/quickstart/poft/final/model.safetensors")));
        Assert.True(File.Exists(Work("runs/quickstart/poft/final/config.json")));
    }

    /// <summary>examples/, the tokenizer folders of .cache/assets the commands name, and a run.sh that runs the
    /// built poft.</summary>
    private void PrepareClone(IEnumerable<string> commands)
    {
        Copy(Path.Combine(RepoPaths.Root, "examples"), Work("examples"));
        foreach (var asset in commands.SelectMany(c => AssetFolder().Matches(c)).Select(m => m.Groups[1].Value).Distinct())
            Copy(RepoPaths.Tokenizer(asset), Work($".cache/assets/{asset}"));
        var runSh = Work("run.sh");
        File.WriteAllText(runSh, $"#!/usr/bin/env bash\nexec '{PoftProcess.Host}' '{PoftProcess.Dll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(runSh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private async Task<(int Exit, string Output, string Error)> Bash(string command)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = _work.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-e", "-o", "pipefail", "-c", command })
            start.ArgumentList.Add(argument);
        using var shell = Process.Start(start) ?? throw new InvalidOperationException("cannot start bash");
        var (output, error) = (shell.StandardOutput.ReadToEndAsync(), shell.StandardError.ReadToEndAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await shell.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            shell.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` ran over 5 minutes");
        }
        return (shell.ExitCode, await output, await error);
    }

    private string Work(string relative) => Path.Combine(_work.Path, relative);

    private HashSet<string> Files() =>
        Directory.EnumerateFiles(_work.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(f => Path.GetRelativePath(_work.Path, f).Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"\.cache/assets/([\w.-]+)")]
    private static partial Regex AssetFolder();
}
