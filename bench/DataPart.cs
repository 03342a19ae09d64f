namespace PoFT.Bench;

/// <summary>
/// The data part (opt-in: <c>--parts data</c>): a synthetic file of <see cref="BenchSettings.DataSamples"/> UltraChat-sized
/// samples in each layout (<see cref="SyntheticLayouts"/>), written to a temporary folder and read in a fresh process
/// (<see cref="DataProbe"/>), so the peak resident set is that read's alone: samples per second, and the process's peak
/// resident set and what it holds once read (the runtime's own ~100 MiB included; divide by the count for per-sample). A preference file's samples are its pairs' chosen and rejected completions.
/// </summary>
public static class DataPart
{
    private const double MiB = 1024 * 1024;

    public static void Run(BenchReport report, Action<string> log)
    {
        var folder = Directory.CreateTempSubdirectory("poft-bench-data-").FullName;
        try
        {
            foreach (var count in report.Settings.DataSamples)
                foreach (var (layout, extension, _) in SyntheticLayouts.All)
                {
                    var path = Path.Combine(folder, $"{layout}-{count}{extension}");
                    SyntheticLayouts.Write(layout, count, path);
                    var size = new FileInfo(path).Length;
                    var result = ProbeProcess.Run([DataProbe.Read, path]);
                    File.Delete(path);
                    double Number(string key) => ProbeProcess.Number(result, key, [DataProbe.Read, path]);
                    var (samples, seconds) = (Number("samples"), Number("seconds"));
                    var id = $"data.{layout}.{count}";
                    var label = $"{layout}, {count:N0} records ({size / MiB:F0} MiB)";
                    report.Add("data", $"{id}.samples_per_s", $"{label}: samples read per second", "samples/s", Stats.Single(samples / seconds));
                    report.Add("data", $"{id}.seconds", $"{label}: read, parsed and checked", "s", Stats.Single(seconds));
                    report.Add("data", $"{id}.peak_rss", $"{label}: the reading process's peak resident set", "MiB", Stats.Single(Number("peak_rss_bytes") / MiB));
                    report.Add("data", $"{id}.held_rss", $"{label}: resident set holding the data set after a GC", "MiB", Stats.Single(Number("held_rss_bytes") / MiB));
                    log($"bench: data {layout} {count}: {samples / seconds:F0} samples/s, peak {Number("peak_rss_bytes") / MiB:F0} MiB");
                }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
