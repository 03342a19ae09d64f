using System.Globalization;
using System.Text;

namespace PoFT.Text.Jinja;

/// <summary>
/// Python's operators on template values: truthiness, equality (1 == 1.0 == True), ordering, arithmetic with
/// int/float rules (/ is always float, // and % floor), <c>in</c>, iteration, len, str() and repr().
/// </summary>
internal static class PyOps
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        PyDict => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        Function => "function",
        PyIterator => "generator",
        LoopContext => "LoopContext",
        _ => value.GetType().Name,
    };

    /// <summary>How jinja2 names an object in "has no attribute" messages ("dict object", "None").</summary>
    public static string ObjectTypeRepr(object? value) => value switch
    {
        null => "None",
        Namespace => "jinja2.utils.Namespace object",
        _ => TypeName(value) + " object",
    };

    public static bool Truthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        object?[] tuple => tuple.Length > 0,
        PyDict dict => dict.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is bool or long or double;

    private static long AsLong(object? value) => value is bool b ? (b ? 1 : 0) : (long)value!;
    private static double AsDouble(object? value) => value is double d ? d : AsLong(value);

    public static bool Equal(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? AsDouble(a) == AsDouble(b) : AsLong(a) == AsLong(b);
        return (a, b) switch
        {
            (null, null) => true,
            (string x, string y) => x == y,
            (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second)),
            (object?[] x, object?[] y) => x.Length == y.Length && x.Zip(y).All(p => Equal(p.First, p.Second)),
            (PyDict x, PyDict y) => x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && Equal(kv.Value, v)),
            (Undefined, Undefined) => true,
            _ => ReferenceEquals(a, b),
        };
    }

    /// <summary>Python's ordering: numbers, strings by code point, lists and tuples element by element.</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (a is Undefined ua)
            throw ua.Fail();
        if (b is Undefined ub)
            throw ub.Fail();
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? AsDouble(a).CompareTo(AsDouble(b)) : AsLong(a).CompareTo(AsLong(b));
        switch (a, b)
        {
            case (string x, string y):
                return CompareCodePoints(x, y);
            case (List<object?> x, List<object?> y):
                return CompareSequences(x, y, op);
            case (object?[] x, object?[] y):
                return CompareSequences(x, y, op);
        }
        throw new TemplateError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    private static int CompareCodePoints(string x, string y)
    {
        // Ordinal UTF-16 order puts U+E000–U+FFFF after astral characters; Python compares code points.
        var i = 0;
        while (i < x.Length && i < y.Length && x[i] == y[i])
            i++;
        if (i == x.Length || i == y.Length)
            return x.Length.CompareTo(y.Length);
        return CodePointAt(x, i).CompareTo(CodePointAt(y, i));
    }

    private static int CodePointAt(string s, int i) => char.IsSurrogatePair(s, i) ? char.ConvertToUtf32(s, i) : s[i];

    private static int CompareSequences(IReadOnlyList<object?> x, IReadOnlyList<object?> y, string op)
    {
        for (var i = 0; i < x.Count && i < y.Count; i++)
            if (!Equal(x[i], y[i]))
                return Compare(x[i], y[i], op);
        return x.Count.CompareTo(y.Count);
    }

    public static bool CompareOp(string op, object? a, object? b) => op switch
    {
        "==" => Equal(a, b),
        "!=" => !Equal(a, b),
        "<" => Compare(a, b, op) < 0,
        "<=" => Compare(a, b, op) <= 0,
        ">" => Compare(a, b, op) > 0,
        ">=" => Compare(a, b, op) >= 0,
        "in" => Contains(b, a),
        "not in" => !Contains(b, a),
        _ => throw new InvalidOperationException(op),
    };

    public static object? Binary(string op, object? a, object? b)
    {
        if (a is Undefined ua)
            throw ua.Fail();
        if (b is Undefined ub)
            throw ub.Fail();
        try
        {
            return checked(op switch
            {
                "+" => Add(a, b),
                "-" when IsNumber(a) && IsNumber(b) => a is double || b is double ? AsDouble(a) - AsDouble(b) : (object)(AsLong(a) - AsLong(b)),
                "*" => Multiply(a, b),
                "/" when IsNumber(a) && IsNumber(b) => AsDouble(b) == 0 ? throw new TemplateError("division by zero") : AsDouble(a) / AsDouble(b),
                "//" when IsNumber(a) && IsNumber(b) => FloorDivide(a, b),
                "%" when IsNumber(a) && IsNumber(b) => Modulo(a, b),
                "%" when a is string => throw new TemplateError("printf-style string formatting ('...' % values) is not supported"),
                "**" when IsNumber(a) && IsNumber(b) => Power(a, b),
                _ => throw Unsupported(op, a, b),
            });
        }
        catch (OverflowException)
        {
            throw new TemplateError($"integer overflow in {Repr(a)} {op} {Repr(b)} (Python's ints are unbounded, these are 64-bit)");
        }
    }

    private static object Add(object? a, object? b) => (a, b) switch
    {
        _ when IsNumber(a) && IsNumber(b) => a is double || b is double ? AsDouble(a) + AsDouble(b) : (object)checked(AsLong(a) + AsLong(b)),
        (string x, string y) => x + y,
        (List<object?> x, List<object?> y) => x.Concat(y).ToList(),
        (object?[] x, object?[] y) => x.Concat(y).ToArray(),
        (string or List<object?> or object?[], _) => throw new TemplateError($"can only concatenate {TypeName(a)} (not \"{TypeName(b)}\") to {TypeName(a)}"),
        _ => throw Unsupported("+", a, b),
    };

    private static object Multiply(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
            return a is double || b is double ? AsDouble(a) * AsDouble(b) : (object)checked(AsLong(a) * AsLong(b));
        var (sequence, times) = a is long or bool ? (b, a) : (a, b);
        if (times is not (long or bool))
            throw Unsupported("*", a, b);
        // The interpreter refuses a product longer than its render budget before it gets here (RenderBudget);
        // this guards the conversion for other callers, never capping silently.
        var count = Math.Max(0, AsLong(times));
        if (count > 0 && SequenceLength(sequence) > Array.MaxLength / count)
            throw new TemplateError($"{TypeName(sequence)} * {count} is longer than any {TypeName(sequence)} can be");
        var n = (int)Math.Min(count, Array.MaxLength);
        return sequence switch
        {
            string s => string.Concat(Enumerable.Repeat(s, n)),
            List<object?> list => Enumerable.Repeat(list, n).SelectMany(x => x).ToList(),
            object?[] tuple => Enumerable.Repeat(tuple, n).SelectMany(x => x).ToArray(),
            _ => throw Unsupported("*", a, b),
        };
    }

    /// <summary>The characters of a str, the items of a list or tuple; 0 for anything else.</summary>
    public static long SequenceLength(object? value) => value switch
    {
        string s => s.Length,
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        _ => 0,
    };

    private static object FloorDivide(object? a, object? b)
    {
        if (a is double || b is double)
            return AsDouble(b) == 0 ? throw new TemplateError("float floor division by zero") : Math.Floor(AsDouble(a) / AsDouble(b));
        var (x, y) = (AsLong(a), AsLong(b));
        if (y == 0)
            throw new TemplateError("integer division or modulo by zero");
        var q = x / y;
        return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q;
    }

    private static object Modulo(object? a, object? b)
    {
        if (a is double || b is double)
        {
            var (x, y) = (AsDouble(a), AsDouble(b));
            if (y == 0)
                throw new TemplateError("float modulo");
            var r = x % y;
            return r != 0 && (r < 0) != (y < 0) ? r + y : r;
        }
        var (p, q) = (AsLong(a), AsLong(b));
        if (q == 0)
            throw new TemplateError("integer division or modulo by zero");
        var m = p % q;
        return m != 0 && (m < 0) != (q < 0) ? m + q : m;
    }

    private static object Power(object? a, object? b)
    {
        if (a is double || b is double || AsLong(b) < 0)
        {
            if (AsDouble(a) == 0 && AsDouble(b) < 0)
                throw new TemplateError("0.0 cannot be raised to a negative power");
            return Math.Pow(AsDouble(a), AsDouble(b));
        }
        long result = 1, x = AsLong(a);
        for (var n = AsLong(b); n > 0; n--)
            result = checked(result * x);
        return result;
    }

    private static TemplateError Unsupported(string op, object? a, object? b) =>
        new($"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");

    public static object? Negate(object? value, string op) => value switch
    {
        Undefined u => throw u.Fail(),
        double d => op == "-" ? -d : d,
        bool or long => (object)(op == "-" ? checked(-AsLong(value)) : AsLong(value)),
        _ => throw new TemplateError($"bad operand type for unary {op}: '{TypeName(value)}'"),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new TemplateError($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        List<object?> list => list.Any(x => Equal(x, item)),
        object?[] tuple => tuple.Any(x => Equal(x, item)),
        PyDict dict => item is List<object?> or PyDict ? throw new TemplateError($"unhashable type: '{TypeName(item)}'") : item is not null && dict.ContainsKey(item),
        PyIterator iterator => iterator.Drain().Any(x => Equal(x, item)),
        Undefined => false,
        _ => throw new TemplateError($"argument of type '{TypeName(container)}' is not iterable"),
    };

    /// <summary>What a for loop walks: list and tuple items, dict keys, str code points; Undefined is empty.</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list.ToList(),
        object?[] tuple => tuple,
        PyDict dict => dict.Keys.ToList<object?>(),
        string s => PyStrings.CodePoints(s),
        PyIterator iterator => iterator.Drain().ToList(),
        Undefined => [],
        _ => throw new TemplateError($"'{TypeName(value)}' object is not iterable"),
    };

    public static long Length(object? value) => value switch
    {
        string s => PyStrings.Length(s),
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        PyDict dict => dict.Count,
        Namespace => throw new TemplateError("object of type 'Namespace' has no len()"),
        Undefined => 0,
        _ => throw new TemplateError($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>Python's str(): what <c>{{ value }}</c> prints (None as "None", Undefined as "").</summary>
    public static string Str(object? value) => value switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PyStrings.FloatRepr(d),
        string s => PyStrings.Repr(s),
        List<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        object?[] tuple => "(" + string.Join(", ", tuple.Select(Repr)) + (tuple.Length == 1 ? ",)" : ")"),
        PyDict dict => "{" + string.Join(", ", dict.Select(kv => Repr(kv.Key) + ": " + Repr(kv.Value))) + "}",
        Undefined => "Undefined",
        Namespace ns => "<Namespace " + Repr(ToDict(ns.Attributes)) + ">",
        Function f => $"<function {f.Name}>",
        _ => value.ToString() ?? "",
    };

    public static PyDict ToDict(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var dict = new PyDict();
        foreach (var (k, v) in pairs)
            dict[k] = v;
        return dict;
    }

    public static string Join(IEnumerable<object?> items, string separator)
    {
        var sb = new StringBuilder();
        var first = true;
        foreach (var item in items)
        {
            if (!first)
                sb.Append(separator);
            sb.Append(Str(item));
            first = false;
        }
        return sb.ToString();
    }
}
