using PoFT.Plots;
using ScottPlot;

namespace PoFT.Report;

/// <summary>The curves of one or more runs against the optimizer step, overlaid (a colour per run): training loss,
/// held-out CE, τ (clean solid and noise dashed where the data marks noise, else the mean) and learning rate.</summary>
public static class RunPlots
{
    public static IReadOnlyList<PlotFile> Write(IReadOnlyList<RunHistory> runs, string directory)
    {
        var candidates = new (string File, string Caption, Func<IReadOnlyList<RunHistory>, Plot?> Build)[]
        {
            ("loss.png", "Training loss per step", r => Curves(r, "Training loss", "loss", run => run.Steps.Select(s => (s.Step, (double?)s.Loss)))),
            ("heldout-ce.png", "Held-out CE at each evaluation", r => Curves(r, "Held-out CE", "held-out CE (nats/token)", run => run.Evals.Select(e => (e.Step, e.HeldOutCe)))),
            ("tau.png", "Mean τ per step (clean solid, noise dashed)", Tau),
            ("learning-rate.png", "Learning rate per step", r => Curves(r, "Learning rate", "learning rate", run => run.Steps.Select(s => (s.Step, (double?)s.Lr)))),
        };
        var written = new List<PlotFile>();
        foreach (var (file, caption, build) in candidates)
            if (build(runs) is { } plot)
            {
                PlotCanvas.Save(plot, Path.Combine(directory, file));
                written.Add(new PlotFile(file, caption));
            }
        return written;
    }

    private static Plot? Curves(IReadOnlyList<RunHistory> runs, string title, string yLabel, Func<RunHistory, IEnumerable<(int Step, double? Value)>> values)
    {
        var plot = PlotCanvas.New(title, "step", yLabel);
        var drawn = false;
        foreach (var (run, index) in runs.Select((r, i) => (r, i)))
            drawn |= Line(plot, values(run), PlotCanvas.Colour(index), run.Label, dashed: false);
        return Finish(plot, drawn, runs.Count);
    }

    private static Plot? Tau(IReadOnlyList<RunHistory> runs)
    {
        var plot = PlotCanvas.New("Mean τ = σ(r̄ − target score)", "step", "mean τ");
        var drawn = false;
        foreach (var (run, index) in runs.Select((r, i) => (r, i)))
        {
            var colour = PlotCanvas.Colour(index);
            if (run.HasNoiseSplit)
            {
                drawn |= Line(plot, run.Steps.Select(s => (s.Step, s.TauClean)), colour, $"{run.Label}, clean", dashed: false);
                drawn |= Line(plot, run.Steps.Select(s => (s.Step, s.TauNoise)), colour, $"{run.Label}, noise", dashed: true);
            }
            else
                drawn |= Line(plot, run.Steps.Select(s => (s.Step, s.TauMean)), colour, run.Label, dashed: false);
        }
        return Finish(plot, drawn, runs.Count);
    }

    /// <returns>Whether the run had any value to draw.</returns>
    private static bool Line(Plot plot, IEnumerable<(int Step, double? Value)> points, Color colour, string label, bool dashed)
    {
        var present = points.Where(p => p.Value is { } v && double.IsFinite(v)).ToList();
        if (present.Count == 0)
            return false;
        var line = plot.Add.Scatter(present.Select(p => (double)p.Step).ToArray(), present.Select(p => p.Value!.Value).ToArray(), colour);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = present.Count > 60 ? 0 : 5;
        line.LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid;
        return true;
    }

    private static Plot? Finish(Plot plot, bool drawn, int runs)
    {
        if (!drawn)
            return null;
        plot.ShowLegend(runs > 3 ? Edge.Right : Edge.Top);
        return plot;
    }
}
