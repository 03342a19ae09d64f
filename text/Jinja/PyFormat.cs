using System.Text;

namespace PoFT.Text.Jinja;

/// <summary>
/// Python's <c>str.format</c> for the fields templates use: <c>{}</c>, <c>{0}</c>, <c>{name}</c>, with
/// <c>!s</c>/<c>!r</c>, and <c>{{</c>/<c>}}</c> for braces. Format specs (<c>{:>10}</c>) are refused.
/// </summary>
internal static class PyFormat
{
    public static string Format(string format, Arguments<object?> args)
    {
        var sb = new StringBuilder();
        var auto = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '}' && i + 1 < format.Length && format[i + 1] == '}' || c == '{' && i + 1 < format.Length && format[i + 1] == '{')
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (c == '}')
                throw new TemplateError("Single '}' encountered in format string");
            if (c != '{')
            {
                sb.Append(c);
                continue;
            }
            var end = format.IndexOf('}', i);
            if (end < 0)
                throw new TemplateError("Single '{' encountered in format string");
            var field = format[(i + 1)..end];
            if (field.Contains(':'))
                throw new TemplateError($"format spec in '{{{field}}}' is not supported");
            var conversion = 's';
            if (field.Length >= 2 && field[^2] == '!')
            {
                conversion = field[^1];
                field = field[..^2];
            }
            var value = Field(field, args, ref auto);
            sb.Append(conversion == 'r' ? PyOps.Repr(value) : PyOps.Str(value));
            i = end;
        }
        return sb.ToString();
    }

    private static object? Field(string field, Arguments<object?> args, ref int auto)
    {
        if (field.Length == 0)
            field = (auto++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (int.TryParse(field, out var index))
            return index < args.Positional.Count ? args.Positional[index]
                : throw new TemplateError($"Replacement index {index} out of range for positional args tuple");
        foreach (var (name, value) in args.Named)
            if (name == field)
                return value;
        throw new TemplateError($"'{field}'");
    }
}
