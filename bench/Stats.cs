namespace PoFT.Bench;

/// <summary>The repeats of one figure: their median and range, and the values themselves.</summary>
public sealed record Stats(double Median, double Min, double Max, IReadOnlyList<double> Values)
{
    public static Stats From(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values to summarise", nameof(values));
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Stats(median, sorted[0], sorted[^1], [.. values]);
    }

    public static Stats Single(double value) => From([value]);

    /// <summary>The same repeats expressed in another unit (seconds → tokens/s, …), repeat by repeat, so the
    /// median and range are of the derived figure itself.</summary>
    public Stats Map(Func<double, double> derive) => From([.. Values.Select(derive)]);

    /// <summary>Two figures measured in the same repeats combined repeat by repeat.</summary>
    public Stats Zip(Stats other, Func<double, double, double> combine) => From([.. Values.Zip(other.Values, combine)]);
}
