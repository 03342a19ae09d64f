using System.Globalization;
using System.Text;

namespace PoFT.Text.Jinja;

/// <summary>
/// The functions a template can call by name: jinja2's <c>range</c>, <c>dict</c> and <c>namespace</c>, and the two
/// transformers adds, <c>raise_exception(message)</c> and <c>strftime_now(format)</c> (read from the given clock,
/// local time, so that a fixed clock makes renders reproducible).
/// </summary>
internal static class Globals
{
    // jinja2's sandbox refuses longer ranges.
    private const long MaxRange = 100_000;

    public static Dictionary<string, object?> Create(TimeProvider clock) => new(StringComparer.Ordinal)
    {
        ["range"] = new Function("range", Range),
        ["dict"] = new Function("dict", a => a.Positional.Count == 0 ? PyOps.ToDict(a.Named.Select(n => KeyValuePair.Create(n.Name, n.Value)))
            : throw new TemplateError("dict() takes keyword arguments only here")),
        ["namespace"] = new Function("namespace", Namespace),
        ["raise_exception"] = new Function("raise_exception", a => throw new TemplateError(PyOps.Str(a.Get(0, "message")), raisedByTemplate: true)),
        ["strftime_now"] = new Function("strftime_now", a => Strftime(clock.GetLocalNow().DateTime, a.Get(0, "format") as string
            ?? throw new TemplateError("strftime_now: the format must be a str"))),
    };

    // A list, where Python has a range object: the same in loops and filters; printed, [0, 1, 2], not range(0, 3).
    private static List<object?> Range(Arguments<object?> a)
    {
        var numbers = a.Positional.Select(x => x is long or bool ? Convert.ToInt64(x, CultureInfo.InvariantCulture)
            : throw new TemplateError($"'{PyOps.TypeName(x)}' object cannot be interpreted as an integer")).ToArray();
        var (start, stop, step) = numbers.Length switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw new TemplateError($"range expected 1 to 3 arguments, got {numbers.Length}"),
        };
        if (step == 0)
            throw new TemplateError("range() arg 3 must not be zero");
        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        if (count > MaxRange)
            throw new TemplateError($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        var result = new List<object?>();
        for (var i = 0L; i < count; i++)
            result.Add(start + i * step);
        return result;
    }

    private static Namespace Namespace(Arguments<object?> a)
    {
        var ns = new Namespace();
        foreach (var initial in a.Positional)
        {
            if (initial is not PyDict dict)
                throw new TemplateError("namespace() takes a dict or keyword arguments");
            foreach (var (k, v) in dict)
                ns.Attributes[PyOps.Str(k)] = v;
        }
        foreach (var (name, value) in a.Named)
            ns.Attributes[name] = value;
        return ns;
    }

    /// <summary>Python's strftime in the C locale, for a naive datetime (%Z and %z are empty); glibc's %-d style too.</summary>
    public static string Strftime(DateTime t, string format)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var unpadded = format[i + 1] == '-' && i + 2 < format.Length;
            if (unpadded)
                i++;
            var c = format[++i];
            string Num(int value, int width) => unpadded ? value.ToString(inv) : value.ToString(new string('0', width), inv);
            sb.Append(c switch
            {
                'a' => t.ToString("ddd", inv),
                'A' => t.ToString("dddd", inv),
                'b' or 'h' => t.ToString("MMM", inv),
                'B' => t.ToString("MMMM", inv),
                'd' => Num(t.Day, 2),
                'e' => t.Day.ToString(inv).PadLeft(2),
                'm' => Num(t.Month, 2),
                'y' => Num(t.Year % 100, 2),
                'Y' => t.Year.ToString(inv),
                'H' => Num(t.Hour, 2),
                'I' => Num(t.Hour % 12 == 0 ? 12 : t.Hour % 12, 2),
                'M' => Num(t.Minute, 2),
                'S' => Num(t.Second, 2),
                'f' => (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", inv),
                'p' => t.Hour < 12 ? "AM" : "PM",
                'j' => Num(t.DayOfYear, 3),
                'w' => ((int)t.DayOfWeek).ToString(inv),
                'D' => Strftime(t, "%m/%d/%y"),
                'F' => Strftime(t, "%Y-%m-%d"),
                'T' => Strftime(t, "%H:%M:%S"),
                'R' => Strftime(t, "%H:%M"),
                'c' => Strftime(t, "%a %b %e %H:%M:%S %Y"),
                'x' => Strftime(t, "%m/%d/%y"),
                'X' => Strftime(t, "%H:%M:%S"),
                'Z' or 'z' => "",
                'n' => "\n",
                't' => "\t",
                '%' => "%",
                _ => throw new TemplateError($"strftime_now: directive %{c} is not supported"),
            });
        }
        return sb.ToString();
    }
}
