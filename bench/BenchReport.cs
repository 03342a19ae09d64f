using System.Text.Json;
using System.Text.Json.Serialization;

namespace PoFT.Bench;

/// <summary>One measured figure: <paramref name="Id"/> is stable across runs (JSON key), the label says
/// what was measured on which configuration.</summary>
public sealed record Figure(string Part, string Id, string Label, string Unit, Stats Stats);

/// <summary>A comparison of two figures' medians; <paramref name="Target"/> and <paramref name="TargetMax"/>
/// bound the goal for it (the ratio must reach the one and not exceed the other), null where there is none.</summary>
public sealed record Ratio(string Part, string Id, string Label, string Numerator, string Denominator, double Value, double? Target, double? TargetMax = null)
{
    public bool? Met => Target is null && TargetMax is null ? null : Value >= (Target ?? double.NegativeInfinity) && Value <= (TargetMax ?? double.PositiveInfinity);
}

/// <summary>Everything one bench run measured, in the order measured; printed as tables and written as JSON.</summary>
public sealed class BenchReport(BenchMachine machine, BenchSettings settings)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly List<Figure> _figures = [];
    private readonly List<Ratio> _ratios = [];
    private readonly List<string> _notes = [];

    public BenchMachine Machine => machine;
    public BenchSettings Settings => settings;
    public IReadOnlyList<Figure> Figures => _figures;
    public IReadOnlyList<Ratio> Ratios => _ratios;
    /// <summary>Where a target is missed: what bounds it, from the measured figures.</summary>
    public IReadOnlyList<string> Notes => _notes;

    public Figure Add(string part, string id, string label, string unit, Stats stats)
    {
        if (_figures.Any(f => f.Id == id))
            throw new InvalidOperationException($"figure '{id}' measured twice");
        var figure = new Figure(part, id, label, unit, stats);
        _figures.Add(figure);
        return figure;
    }

    public Ratio Compare(string id, string label, Figure numerator, Figure denominator, double? target = null, double? targetMax = null)
    {
        var ratio = new Ratio(numerator.Part, id, label, numerator.Id, denominator.Id, numerator.Stats.Median / denominator.Stats.Median, target, targetMax);
        _ratios.Add(ratio);
        return ratio;
    }

    public void Note(string text) => _notes.Add(text);

    public Figure? Find(string id) => _figures.FirstOrDefault(f => f.Id == id);

    public void WriteJson(string path) => File.WriteAllText(path, JsonSerializer.Serialize(new
    {
        machine,
        settings,
        figures = _figures,
        ratios = _ratios,
        notes = _notes,
    }, Json));
}
