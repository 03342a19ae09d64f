using System.Globalization;

namespace PoFT.Report;

/// <summary>Mean and sample standard deviation (n − 1) of <paramref name="N"/> values; the spread over seeds.</summary>
public sealed record MeanStd(double Mean, double Std, int N)
{
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values to summarise", nameof(values));
        var mean = values.Average();
        // One seed has no spread to estimate: 0 rather than the NaN of n − 1 = 0.
        var std = values.Count == 1 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new MeanStd(mean, std, values.Count);
    }

    /// <summary>"5.1234 ± 0.0123", or only the mean for a single value, where a ± 0 would claim a precision never measured.</summary>
    public string Format(int digits)
    {
        var format = "F" + digits.ToString(CultureInfo.InvariantCulture);
        var mean = Mean.ToString(format, CultureInfo.InvariantCulture);
        return N == 1 ? mean : $"{mean} ± {Std.ToString(format, CultureInfo.InvariantCulture)}";
    }
}
