using System.Globalization;
using PoFT.Exporter;
using PoFT.Hybrid;
using PoFT.Shared.Scoring;

namespace PoFT.Bench;

/// <summary>
/// The large part (opt-in: <c>--parts large</c>; it needs ~11 GB and several minutes, so neither the default
/// bench nor CI runs it): a 1.1B model of TinyLlama's shape, fp32, whose weights (4.4 GB) exceed the 2 GiB a
/// protobuf message can hold, exported with its weights in <c>model.onnx.data</c> and scored by ONNX
/// Runtime. Each step runs in a fresh process (<see cref="LargeProbe"/>) so each peak resident set is that
/// step's own: the export's against the weights' bytes (target ≤ 1.5×: it streams one tensor at a time), the
/// session's with MLAS weight pre-packing on and off (<c>--repeats</c> rounds of both, alternately), and
/// TorchSharp parity. With <c>--quick</c> it runs the
/// same steps on the tiny model with the external data file forced (threshold 0).
/// </summary>
public static class LargePart
{
    private const double MiB = 1 << 20;
    private const double ExportPeakTarget = 1.5;

    public static void Run(BenchReport report, BenchModels models)
    {
        var quick = report.Settings.Quick;
        var size = BenchSize.Parse(quick ? "tiny" : "1.1b");
        var (samples, length) = quick ? (2, 32) : (4, 256);
        var name = size.Name;
        var checkpoint = Path.Combine(models.Directory, $"large-{name}", "checkpoint");
        var init = Probe([LargeProbe.Init, models.Config($"large-{name}", size.Config), checkpoint, "1"]);
        var exportDir = Path.Combine(models.Directory, $"large-{name}", "onnx");
        var threshold = quick ? 0 : new ExportOptions().ExternalDataThresholdBytes;
        var weightsBytes = size.Config.ParameterCount * sizeof(float);
        var weights = report.Add("large", $"large.{name}.weights", $"{name} fp32 weights ({size.Describe()})", "MiB", Stats.Single(weightsBytes / MiB));
        report.Add("large", $"large.{name}.init", $"{name} fresh checkpoint written (TorchSharp, one run)", "s", Stats.Single(init["init_seconds"]));

        var export = Probe([LargeProbe.Export, checkpoint, exportDir, $"{threshold}"]);
        var dataFile = new FileInfo(Path.Combine(exportDir, ScoringGraph.ExternalDataFile));
        if (!dataFile.Exists)
            throw new InvalidOperationException($"the large part measures the external-data path, but {dataFile.FullName} was not written");
        report.Add("large", $"large.{name}.export", $"{name} export, checkpoint → model.onnx + {dataFile.Length / MiB:F0} MiB model.onnx.data", "s",
            Stats.Single(export["export_seconds"]));
        var exportPeak = Bytes(report, $"large.{name}.export_peak", $"{name} export process, peak RSS", export["peak_rss_bytes"]);
        report.Compare($"large.{name}.export_peak_over_weights", $"{name} export peak RSS / weights", exportPeak, weights, targetMax: ExportPeakTarget);

        var onnx = Path.Combine(exportDir, ScoringGraph.ModelFile);
        // Each round runs both sessions, one fresh process each, alternately (Method: drift falls on both).
        string[] prepacks = ["on", "off"];
        var rounds = Enumerable.Range(0, report.Settings.Repeats)
            .Select(_ => prepacks.ToDictionary(p => p, p => Probe([LargeProbe.Ort, onnx, $"{samples}", $"{length}", $"{report.Settings.Threads}", p])))
            .ToList();
        var speeds = new Dictionary<string, Figure>();
        foreach (var prepack in prepacks)
        {
            Stats Of(string key, double scale = 1) => Stats.From([.. rounds.Select(r => r[prepack][key] * scale)]);
            var id = $"large.{name}.ort.prepack_{prepack}";
            var label = $"{name} ONNX Runtime, weight pre-packing {prepack}";
            report.Add("large", $"{id}.load", $"{label}: session load", "s", Of("load_seconds"));
            report.Add("large", $"{id}.loaded_anon", $"{label}: anonymous RSS after load", "MiB", Of("loaded_rss_anon_bytes", 1 / MiB));
            report.Add("large", $"{id}.loaded_file", $"{label}: file-backed RSS after load (mapped files: libraries, and external data ORT mapped)", "MiB", Of("loaded_rss_file_bytes", 1 / MiB));
            report.Add("large", $"{id}.scored_anon", $"{label}: anonymous RSS after scoring", "MiB", Of("scored_rss_anon_bytes", 1 / MiB));
            report.Add("large", $"{id}.scored_file", $"{label}: file-backed RSS after scoring", "MiB", Of("scored_rss_file_bytes", 1 / MiB));
            var loadPeak = report.Add("large", $"{id}.load_peak", $"{label}: peak RSS while loading", "MiB", Of("load_peak_rss_bytes", 1 / MiB));
            var peak = report.Add("large", $"{id}.peak", $"{label}: peak RSS, load + scoring {samples}×{length} tokens", "MiB", Of("peak_rss_bytes", 1 / MiB));
            report.Compare($"{id}.load_peak_over_weights", $"{label}: load peak RSS / weights", loadPeak, weights);
            report.Compare($"{id}.peak_over_weights", $"{label}: peak RSS / weights", peak, weights);
            speeds[prepack] = report.Add("large", $"{id}.tokens_per_s", $"{label}: scoring {samples}×{length} random tokens (the second of two runs)", "tokens/s",
                Of("tokens_per_second"));
        }
        report.Compare($"large.{name}.ort.prepack_off_over_on", $"{name} ONNX Runtime tokens/s, pre-packing off / on", speeds["off"], speeds["on"]);

        var parity = Probe([LargeProbe.Parity, checkpoint, exportDir]);
        var diff = parity["max_rel_diff"];
        report.Add("large", $"large.{name}.parity", $"{name} ORT vs TorchSharp, max relative log-prob difference (tolerance {ExportCheck.Tolerance:G})", "",
            Stats.Single(diff));
        Bytes(report, $"large.{name}.parity_peak", $"{name} parity check (TorchSharp model + ORT session), peak RSS", parity["peak_rss_bytes"]);
        report.Note($"{name}: ORT vs TorchSharp max relative difference {diff:G3}, {(diff <= ExportCheck.Tolerance ? "within" : "ABOVE")} the {ExportCheck.Tolerance:G} tolerance.");
    }

    private static Figure Bytes(BenchReport report, string id, string label, double bytes) =>
        report.Add("large", id, label, "MiB", Stats.Single(bytes / MiB));

    private static Dictionary<string, double> Probe(IReadOnlyList<string> arguments)
    {
        var results = ProbeProcess.Run(arguments);
        return results.Keys.ToDictionary(k => k, k => ProbeProcess.Number(results, k, arguments));
    }
}
