using System.Globalization;

namespace PoFT.Report;

/// <summary>Number text for the report: invariant culture always, so a report reads the same on every machine.</summary>
public static class ReportNumbers
{
    public static string Fixed(double value, int digits) =>
        value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>With an explicit sign, for differences: "+0.0123", "-0.0456".</summary>
    public static string Signed(double value, int digits) => (value >= 0 ? "+" : "") + Fixed(value, digits);

    /// <summary>Noise fractions and other short values in their shortest round-trip form ("0.4", not "0.4000").</summary>
    public static string Plain(double value) => value.ToString(CultureInfo.InvariantCulture);
}
