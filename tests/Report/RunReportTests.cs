using System.Buffers.Binary;
using PoFT.Report;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Report;

/// <summary><c>report</c> on runs written by the trainer's own metrics log: the plots each run has data for, the
/// summary's numbers taken from the records.</summary>
public sealed class RunReportTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A run of 6 steps, evaluated at 0, 3 and 6 with held-out CE 3.0, 2.5 and 2.7; with τ (clean and
    /// noise) when <paramref name="poft"/>.</summary>
    private string Run(string name, bool poft)
    {
        var directory = _temp.Sub(name);
        using var log = MetricsLog.Open(Path.Combine(directory, MetricsLog.FileName), keepThroughStep: null);
        double[] ce = [3.0, 2.5, 2.7];
        log.Write(new EvalMetrics("eval", 0, 0, ce[0], -ce[0], poft ? 0.5 : null, 8));
        for (var step = 1; step <= 6; step++)
        {
            log.Write(new StepMetrics("step", step, 6, 1, Loss: 4.0 - step * 0.25, Ce: 3, poft ? 0.6 : null, poft ? 0.8 : null, poft ? 0.1 + step / 100.0 : null,
                Lr: 1e-3, GradNorm: 1, Tokens: 100, TokensPerS: 50, ScorerWaitS: 0, ElapsedS: step));
            if (step % 3 == 0)
                log.Write(new EvalMetrics("eval", step, 1, ce[step / 3], -ce[step / 3], poft ? 0.5 : null, 8));
        }
        return directory;
    }

    [Fact]
    public void Overlaid_runs_get_every_curve_and_a_summary_row_each()
    {
        var runs = new[] { RunHistory.Read(Run("poft", poft: true), "poft"), RunHistory.Read(Run("ce", poft: false), "ce") };
        var output = _temp.Sub("report");
        var markdown = RunReport.Write(runs, output);

        foreach (var plot in new[] { "loss.png", "heldout-ce.png", "tau.png", "learning-rate.png" })
        {
            var png = File.ReadAllBytes(Path.Combine(output, plot));
            Assert.Equal(PngSignature, png[..8]);
            Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Contains($"]({plot})", markdown);
        }
        // Last loss 4 − 6 × 0.25; best CE at step 3, last at 6; τ of the last step.
        Assert.Contains("| poft | 6 | 2.5000 | 2.5000 (3) | 2.7000 (6) | 0.800 / 0.160 |", markdown);
        Assert.Contains("| ce | 6 | 2.5000 | 2.5000 (3) | 2.7000 (6) | — |", markdown);
        Assert.Equal(markdown, File.ReadAllText(Path.Combine(output, RunReport.MarkdownFile)));
    }

    [Fact]
    public void A_run_without_tau_gets_no_tau_plot_and_a_torn_last_line_is_skipped()
    {
        var run = Run("ce-only", poft: false);
        File.AppendAllText(Path.Combine(run, MetricsLog.FileName), "{\"kind\":\"step\",\"step\":7,\"lo");
        var history = RunHistory.Read(run, "ce-only");
        Assert.Equal(6, history.Steps.Count);
        var output = _temp.Sub("report-ce");
        RunReport.Write([history], output);
        Assert.False(File.Exists(Path.Combine(output, "tau.png")));
        Assert.True(File.Exists(Path.Combine(output, "heldout-ce.png")));
    }

    [Fact]
    public void A_folder_without_metrics_is_refused_naming_it()
    {
        var empty = _temp.Sub("empty");
        var error = Assert.Throws<PoFT.Shared.PoftUserException>(() => RunHistory.Read(empty, "empty"));
        Assert.Contains(empty, error.Message);
        Assert.Contains("metrics.jsonl", error.Message);
    }
}
