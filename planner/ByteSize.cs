using System.Globalization;

namespace PoFT.Planner;

/// <summary>Memory sizes as users write them: "80GB", "80 GiB", "24G", "512MiB". GB and GiB are both read
/// as 2³⁰ bytes: device makers' "80 GB" cards report about 80 GiB to their drivers.</summary>
public static class ByteSize
{
    public static long Parse(string text)
    {
        var trimmed = text.Trim();
        var split = trimmed.TakeWhile(ch => char.IsDigit(ch) || ch == '.').Count();
        var unit = trimmed[split..].Trim().ToUpperInvariant();
        var shift = unit switch
        {
            "G" or "GB" or "GIB" => 30,
            "M" or "MB" or "MIB" => 20,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (shift < 0 || !double.TryParse(trimmed[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new ArgumentException($"memory size '{text}': expected a number and a unit, e.g. 80GB, 512MiB");
        return (long)(value * (1L << shift));
    }
}
