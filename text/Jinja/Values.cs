namespace PoFT.Text.Jinja;

// Template values are Python's, held as: null (None), bool, long (int), double (float), string (str),
// List<object?> (list), object?[] (tuple), PyDict (dict), and the kinds below.

/// <summary>A dict: insertion-ordered, keys compared as Python does (1, 1.0 and True are one key).</summary>
internal sealed class PyDict() : OrderedDictionary<object, object?>(PyKeyComparer.Instance);

internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => PyOps.Equal(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => ((long)d).GetHashCode(),
        string s => StringComparer.Ordinal.GetHashCode(s),
        object?[] tuple => tuple.Aggregate(17, (h, item) => h * 31 + (item is null ? 0 : GetHashCode(item))),
        _ => obj.GetHashCode(),
    };
}

/// <summary>
/// jinja2's default Undefined: a missing variable, attribute or item. It renders as "", is falsy, iterates as
/// empty and has length 0; using it any other way (an attribute, an item, a call, arithmetic) is an error
/// whose message says what was missing.
/// </summary>
internal sealed class Undefined
{
    private readonly string? _hint;
    private readonly object? _owner;
    private readonly bool _hasOwner;
    private readonly object? _name;

    private Undefined(string? hint, object? owner, bool hasOwner, object? name) =>
        (_hint, _owner, _hasOwner, _name) = (hint, owner, hasOwner, name);

    public static Undefined Variable(string name) => new(null, null, false, name);
    public static Undefined Member(object? owner, object? name) => new(null, owner, true, name);
    public static Undefined WithHint(string hint) => new(hint, null, false, null);

    public string Message =>
        _hint ?? (!_hasOwner ? $"{PyOps.Repr(_name)} is undefined"
            : _name is string ? $"{PyOps.Repr(PyOps.ObjectTypeRepr(_owner))} has no attribute {PyOps.Repr(_name)}"
            : $"{PyOps.ObjectTypeRepr(_owner)} has no element {PyOps.Repr(_name)}");

    public TemplateError Fail() => new(Message);
}

/// <summary>jinja2's <c>namespace(...)</c>: the one object templates may assign attributes to (<c>set ns.x = ...</c>).</summary>
internal sealed class Namespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>Something callable: a global, a builtin method bound to its value, or a macro.</summary>
internal sealed class Function(string name, Func<Arguments<object?>, object?> invoke)
{
    public string Name { get; } = name;
    public object? Invoke(Arguments<object?> arguments) => invoke(arguments);
}

/// <summary>Binds call arguments to a builtin's parameters the way Python does: by position or by name.</summary>
internal static class ArgumentBinding
{
    public static object? Get(this Arguments<object?> args, int index, string name, object? fallback = null)
    {
        if (index < args.Positional.Count)
            return args.Positional[index];
        foreach (var (n, value) in args.Named)
            if (n == name)
                return value;
        return fallback;
    }

    public static object? Keyword(this Arguments<object?> args, string name)
    {
        foreach (var (n, value) in args.Named)
            if (n == name)
                return value;
        return null;
    }

    public static bool Has(this Arguments<object?> args, int index, string name) =>
        index < args.Positional.Count || args.Named.Any(a => a.Name == name);

    /// <summary>Refuses more positional arguments, or other names, than the callee takes (Python's TypeError).</summary>
    public static Arguments<object?> Expect(this Arguments<object?> args, string callee, params string[] parameters)
    {
        if (args.Positional.Count > parameters.Length)
            throw new TemplateError($"{callee}() takes at most {parameters.Length} argument{(parameters.Length == 1 ? "" : "s")} ({args.Positional.Count} given)");
        foreach (var (name, _) in args.Named)
            if (Array.IndexOf(parameters, name) < 0)
                throw new TemplateError($"{callee}() got an unexpected keyword argument '{name}'");
        return args;
    }
}
