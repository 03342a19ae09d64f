using System.Diagnostics;
using System.Globalization;
using PoFT.Shared.Data;

namespace PoFT.Bench;

/// <summary>The child side of the data part (<see cref="DataPart"/>): one data file read as <c>train</c>, <c>score</c>
/// and <c>inspect</c> read it, in a fresh process, printing the samples read, the seconds and the peak resident set.</summary>
public static class DataProbe
{
    public const string Read = "data-read";

    public static bool Handles(string workload) => workload == Read;

    /// <param name="args"><c>data-read PATH</c>.</param>
    public static int Run(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var data = SampleData.Read(args[1]);
        var seconds = clock.Elapsed.TotalSeconds;
        Print("samples", data.Samples.Count);
        Print("seconds", seconds);
        Print("peak_rss_bytes", ProbeProcess.PeakResidentBytes());
        GC.Collect();
        Print("held_rss_bytes", ProbeProcess.StatusBytes("VmRSS"));
        GC.KeepAlive(data);
        return 0;
    }

    private static void Print(string key, double value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}={value}"));
}
