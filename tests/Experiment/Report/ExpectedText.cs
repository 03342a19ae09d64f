using System.Globalization;

namespace PoFT.Tests.Experiment.Report;

/// <summary>The report's number text worked out here, independently of the report's own formatting code.</summary>
public static class ExpectedText
{
    public static string Fixed4(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>Mean ± sample std (n − 1), or the mean alone for one value.</summary>
    public static string MeanPlusMinusStd(IReadOnlyList<double> values)
    {
        var mean = values.Sum() / values.Count;
        if (values.Count == 1)
            return Fixed4(mean);
        return $"{Fixed4(mean)} ± {Fixed4(SampleStd(values))}";
    }

    public static double SampleStd(IReadOnlyList<double> values)
    {
        var mean = values.Sum() / values.Count;
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
