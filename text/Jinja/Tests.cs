namespace PoFT.Text.Jinja;

/// <summary>jinja2's builtin tests (<c>x is defined</c>, <c>x is string</c>, ...), with Python's type checks.</summary>
internal static class Tests
{
    private delegate bool Test(object? value, Arguments<object?> args);

    private static readonly Dictionary<string, Test> All = new()
    {
        ["boolean"] = (v, a) => v is bool,
        ["callable"] = (v, a) => v is Function or Undefined,
        ["defined"] = (v, a) => v is not Undefined,
        ["divisibleby"] = (v, a) => PyOps.Equal(PyOps.Binary("%", v, a.Get(0, "num")), 0L),
        ["eq"] = Equal,
        ["equalto"] = Equal,
        ["=="] = Equal,
        ["escaped"] = (v, a) => false,
        ["even"] = (v, a) => PyOps.Equal(PyOps.Binary("%", v, 2L), 0L),
        ["false"] = (v, a) => v is false,
        ["filter"] = (v, a) => v is string name && Filters.Exists(name),
        ["float"] = (v, a) => v is double,
        ["ge"] = (v, a) => PyOps.CompareOp(">=", v, a.Get(0, "other")),
        [">="] = (v, a) => PyOps.CompareOp(">=", v, a.Get(0, "other")),
        ["gt"] = (v, a) => PyOps.CompareOp(">", v, a.Get(0, "other")),
        [">"] = (v, a) => PyOps.CompareOp(">", v, a.Get(0, "other")),
        ["greaterthan"] = (v, a) => PyOps.CompareOp(">", v, a.Get(0, "other")),
        ["in"] = (v, a) => PyOps.Contains(a.Get(0, "seq"), v),
        ["integer"] = (v, a) => v is long,
        ["iterable"] = (v, a) => v is string or List<object?> or object?[] or PyDict or PyIterator or Undefined,
        ["le"] = (v, a) => PyOps.CompareOp("<=", v, a.Get(0, "other")),
        ["<="] = (v, a) => PyOps.CompareOp("<=", v, a.Get(0, "other")),
        ["lower"] = (v, a) => PyOps.Str(v) is var s && s.Any(char.IsLetter) && s == PyStrings.Lower(s),
        ["lt"] = (v, a) => PyOps.CompareOp("<", v, a.Get(0, "other")),
        ["<"] = (v, a) => PyOps.CompareOp("<", v, a.Get(0, "other")),
        ["lessthan"] = (v, a) => PyOps.CompareOp("<", v, a.Get(0, "other")),
        ["mapping"] = (v, a) => v is PyDict,
        ["ne"] = (v, a) => !PyOps.Equal(v, a.Get(0, "other")),
        ["!="] = (v, a) => !PyOps.Equal(v, a.Get(0, "other")),
        ["none"] = (v, a) => v is null,
        ["number"] = (v, a) => PyOps.IsNumber(v),
        ["odd"] = (v, a) => PyOps.Equal(PyOps.Binary("%", v, 2L), 1L),
        ["sameas"] = (v, a) => SameAs(v, a.Get(0, "other")),
        ["sequence"] = (v, a) => v is string or List<object?> or object?[] or PyDict or Undefined,
        ["string"] = (v, a) => v is string,
        ["test"] = (v, a) => v is string name && Exists(name),
        ["true"] = (v, a) => v is true,
        ["undefined"] = (v, a) => v is Undefined,
        ["upper"] = (v, a) => PyOps.Str(v) is var s && s.Any(char.IsLetter) && s == PyStrings.Upper(s),
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static bool Apply(string name, object? value, Arguments<object?> args) =>
        All.TryGetValue(name, out var test) ? test(value, args) : throw new TemplateError($"no test named '{name}'");

    private static bool Equal(object? value, Arguments<object?> a) => PyOps.Equal(value, a.Get(0, "other"));

    // Python's `is`: None and the bools are singletons, and CPython caches the small ints.
    private static bool SameAs(object? x, object? y) => (x, y) switch
    {
        (null, null) => true,
        (bool p, bool q) => p == q,
        (long p, long q) => p == q && p is >= -5 and <= 256,
        _ => ReferenceEquals(x, y),
    };
}
