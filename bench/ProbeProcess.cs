using System.Diagnostics;
using System.Globalization;

namespace PoFT.Bench;

/// <summary>
/// Runs this project's own executable (Program.cs) as a child process, so that a figure such as peak
/// resident memory is taken in a fresh process: a peak never goes down, so measured in one process every
/// workload would report the largest one before it. The child prints its results as <c>key=value</c> lines
/// on stdout.
/// </summary>
public static class ProbeProcess
{
    /// <summary>Through the dotnet host when that is how this process was started, else through the
    /// apphost the build puts beside PoFT.Bench.dll.</summary>
    /// <returns>Every <c>key=value</c> line the child printed (the last one wins for a repeated key).</returns>
    public static IReadOnlyDictionary<string, string> Run(IReadOnlyList<string> arguments)
    {
        var assembly = typeof(ProbeProcess).Assembly.Location;
        var host = Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : Path.ChangeExtension(assembly, null);
        if (!File.Exists(host))
            throw new InvalidOperationException($"cannot start a probe: {host} not found");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (host != Path.ChangeExtension(assembly, null))
            start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {host}");
        var error = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new ProbeFailedException($"probe `{string.Join(' ', arguments)}` failed (exit {child.ExitCode}{(child.ExitCode == 137 ? ", killed: out of memory" : "")}): {error.Result.Trim()}");
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && !line[..equals].Contains(' ', StringComparison.Ordinal))
                results[line[..equals]] = line[(equals + 1)..].Trim();
        }
        return results;
    }

    /// <summary>A number the child must have printed.</summary>
    public static double Number(IReadOnlyDictionary<string, string> results, string key, IReadOnlyList<string> arguments) =>
        results.TryGetValue(key, out var value) ? double.Parse(value, CultureInfo.InvariantCulture)
            : throw new ProbeFailedException($"probe `{string.Join(' ', arguments)}` printed no {key}=");

    /// <summary>The child's own peak resident set (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes() => StatusBytes("VmHWM");

    /// <summary>A memory line of /proc/self/status (VmRSS, RssAnon, RssFile, …), in bytes.</summary>
    public static long StatusBytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>A probe's process ended without its figure.</summary>
public sealed class ProbeFailedException(string message) : InvalidOperationException(message);
