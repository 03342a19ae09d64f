using System.Text.Json.Nodes;
using PoFT.Bench;
using PoFT.Tests.Support;

namespace PoFT.Tests.Bench;

/// <summary>`bench --quick` end to end for the parts that run in-process: the JSON holds every figure as
/// finite positive numbers and every ratio as the quotient of its two figures' medians. No timing
/// thresholds: timings are for benchmarks to report, never for tests to judge.</summary>
[Trait(TestTier.Category, TestTier.Slow)]
public sealed class BenchSmokeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Quick_peak_and_scorer_write_finite_positive_figures_and_consistent_ratios()
    {
        var settings = BenchSettings.Create(["peak", "scorer"], [], repeats: null, threads: 0, samples: null, quick: true);
        var report = await BenchRunner.RunAsync(settings, _ => { });
        var path = _temp.File("bench.json");
        report.WriteJson(path);

        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var figures = json["figures"]!.AsArray().ToDictionary(f => f!["id"]!.GetValue<string>(), f => f!["stats"]!);
        Assert.Contains(PeakPart.Ort, figures.Keys);
        Assert.Contains("scorer.tiny.ort", figures.Keys);
        Assert.Contains("scorer.tiny.pad_to_max_useful", figures.Keys);
        Assert.Contains("scorer.tiny.export", figures.Keys);
        Assert.Contains("scorer.tiny.optimization.other", figures.Keys);
        foreach (var (id, stats) in figures)
        {
            var values = stats["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
            // The export happens once per model; everything else is repeated.
            Assert.Equal(id.EndsWith(".export", StringComparison.Ordinal) ? 1 : settings.Repeats, values.Count);
            Assert.All(values, v => Assert.True(double.IsFinite(v) && v > 0, $"{id}: {v}"));
            var (median, min, max) = (stats["median"]!.GetValue<double>(), stats["min"]!.GetValue<double>(), stats["max"]!.GetValue<double>());
            Assert.Equal(values.Min(), min);
            Assert.Equal(values.Max(), max);
            Assert.InRange(median, min, max);
        }

        var ratios = json["ratios"]!.AsArray();
        Assert.Contains(ratios, r => r!["id"]!.GetValue<string>() == "scorer.tiny.ort_over_torch" && r["target"]!.GetValue<double>() == 2);
        foreach (var ratio in ratios)
        {
            var numerator = figures[ratio!["numerator"]!.GetValue<string>()]["median"]!.GetValue<double>();
            var denominator = figures[ratio["denominator"]!.GetValue<string>()]["median"]!.GetValue<double>();
            Assert.Equal(numerator / denominator, ratio["value"]!.GetValue<double>(), 1e-9);
        }
    }

    [Fact]
    public async Task Quick_memory_part_measures_each_workload_in_a_fresh_probe_process()
    {
        var settings = BenchSettings.Create(["memory"], [], repeats: null, threads: 1, samples: null, quick: true);
        var report = await BenchRunner.RunAsync(settings, _ => { });
        var memory = report.Figures.Where(f => f.Part == "memory").ToList();
        Assert.Contains(memory, f => f.Id.StartsWith("memory.scorer.", StringComparison.Ordinal));
        Assert.Contains(memory, f => f.Id.StartsWith("memory.trainer.", StringComparison.Ordinal));
        // A peak resident set of a process that loaded ONNX Runtime or libtorch: tens of MiB at least.
        Assert.All(memory, f => Assert.InRange(f.Stats.Median, 20, 64 * 1024));
    }

    [Fact]
    public async Task Quick_large_part_exports_to_an_external_data_file_and_measures_each_step_in_a_probe_process()
    {
        var settings = BenchSettings.Create(["large"], [], repeats: null, threads: 1, samples: null, quick: true);
        var report = await BenchRunner.RunAsync(settings, _ => { });
        var figures = report.Figures.Where(f => f.Part == "large").ToDictionary(f => f.Id);
        foreach (var prepack in new[] { "on", "off" })
            Assert.True(figures[$"large.tiny.ort.prepack_{prepack}.tokens_per_s"].Stats.Median > 0);
        Assert.InRange(figures["large.tiny.export_peak"].Stats.Median, 20, 64 * 1024);
        Assert.InRange(figures["large.tiny.parity"].Stats.Median, 0, PoFT.Hybrid.ExportCheck.Tolerance);
        Assert.Contains(report.Ratios, r => r.Id == "large.tiny.export_peak_over_weights" && r.TargetMax == 1.5);
    }

    [Fact]
    public void The_large_part_runs_only_when_named()
    {
        Assert.DoesNotContain("large", BenchSettings.Create(BenchSettings.AllParts, [], null, 0, null, quick: true).Parts);
        Assert.Contains("large", BenchSettings.Create(["large"], [], null, 0, null, quick: true).Parts);
    }

    [Fact]
    public void Stats_take_the_median_and_range_of_the_repeats()
    {
        var stats = Stats.From([3.0, 1.0, 4.0, 2.0]);
        Assert.Equal((2.5, 1.0, 4.0), (stats.Median, stats.Min, stats.Max));
        Assert.Equal([1 / 3.0, 1.0, 0.25, 0.5], stats.Map(v => 1 / v).Values);
    }

    [Fact]
    public void An_interleaved_measurement_alternates_its_sides_after_warming_both_up()
    {
        var calls = new List<string>();
        var (a, b) = new Measurement(Warmup: 1, Repeats: 2).Interleave(() => { calls.Add("a"); return 1; }, () => { calls.Add("b"); return 2; });
        Assert.Equal(["a", "b", "a", "b", "a", "b"], calls);
        Assert.Equal([1.0, 1.0], a.Values);
        Assert.Equal([2.0, 2.0], b.Values);
    }
}
