using System.Diagnostics;

namespace PoFT.Tests.Support;

/// <summary>The <c>poft</c> command the build copies beside the tests, run as a process of its own — as
/// run.sh and a Kubernetes Job's pod run it.</summary>
public static class PoftProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>The built command, beside the tests.</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "poft.dll");

    /// <summary>The dotnet host this test process runs on (dotnet test names it in DOTNET_HOST_PATH).</summary>
    public static string Host { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
        ?? (Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet");

    /// <param name="environment">Variables set (a null value: removed) in the child's environment.</param>
    /// <param name="input">Written to the child's standard input, which is then closed (null: the input is not redirected).</param>
    public static async Task<Result> Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? input = null)
    {
        var (host, dll) = (Host, Dll);
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {host} {dll}");
        var (output, error) = (child.StandardOutput.ReadToEndAsync(), child.StandardError.ReadToEndAsync());
        if (input is not null)
        {
            await child.StandardInput.WriteAsync(input);
            child.StandardInput.Close();
        }
        await child.WaitForExitAsync();
        return new Result(child.ExitCode, await output, await error);
    }
}
