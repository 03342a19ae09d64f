namespace PoFT.Text.Jinja;

/// <summary>
/// <c>a.b</c> and <c>a[b]</c> as jinja2's ImmutableSandboxedEnvironment resolves them: <c>a.b</c> tries the
/// attribute (a method) and then the item, <c>a[b]</c> the item and then the attribute; a miss is Undefined.
/// Methods that would mutate a list or dict (append, update, ...) are refused as the sandbox refuses them.
/// </summary>
internal static class PyAccess
{
    private static readonly HashSet<string> UnsafeListMethods = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"];
    private static readonly HashSet<string> UnsafeDictMethods = ["clear", "pop", "popitem", "setdefault", "update"];

    public static object? GetAttribute(object? owner, string name)
    {
        var attribute = PythonAttribute(owner, name);
        if (attribute is Undefined && owner is PyDict dict && dict.TryGetValue(name, out var item))
            return item;
        return attribute;
    }

    /// <summary>Python's getattr alone, without the item fallback: methods, namespace and loop attributes.</summary>
    public static object? PythonAttribute(object? owner, string name) => owner switch
    {
        Undefined u => throw u.Fail(),
        Namespace ns => ns.Attributes.TryGetValue(name, out var value) ? value : Undefined.Member(owner, name),
        LoopContext loop => loop.Attribute(name),
        _ => Method(owner, name) ?? (object)Undefined.Member(owner, name),
    };

    public static object? GetItem(object? owner, object? key)
    {
        if (owner is Undefined u)
            throw u.Fail();
        var isSequence = owner is string or List<object?> or object[];
        if (isSequence && key is SliceValue slice)
            return Slice(owner!, slice);
        if (owner is PyDict dict && key is not null && Hashable(key) && dict.TryGetValue(key, out var value))
            return value;
        if (isSequence && key is long or bool)
        {
            IReadOnlyList<object?> items = owner is string s ? PyStrings.CodePoints(s) : (IReadOnlyList<object?>)owner!;
            var index = key is bool b ? (b ? 1 : 0) : (long)key;
            if (index < 0)
                index += items.Count;
            return index >= 0 && index < items.Count ? items[(int)index] : Undefined.Member(owner, key);
        }
        return key is string name ? GetAttribute(owner, name) : Undefined.Member(owner, key);
    }

    private static bool Hashable(object? key) => key is not (List<object?> or PyDict);

    private static object Slice(object owner, SliceValue slice)
    {
        var items = owner is string s ? PyStrings.CodePoints(s).ToList<object?>() : (IReadOnlyList<object?>)owner;
        var picked = slice.Indices(items.Count).Select(i => items[i]);
        return owner switch
        {
            string => string.Concat(picked),
            object?[] => picked.ToArray(),
            _ => picked.ToList(),
        };
    }

    private static Function? Method(object? owner, string name) => owner switch
    {
        string s => StringMethod(s, name),
        PyDict dict => DictMethod(dict, name),
        List<object?> list when UnsafeListMethods.Contains(name) => Unsafe(name, "list"),
        List<object?> or object?[] => SequenceMethod((IReadOnlyList<object?>)owner, name),
        _ => null,
    };

    private static Function Unsafe(string name, string type) =>
        new(name, _ => throw new TemplateError($"access to attribute '{name}' of '{type}' object is unsafe."));

    // items(), keys() and values() return lists: the same in loops and filters; printed, [...] where Python
    // prints dict_items([...]).
    private static Function? DictMethod(PyDict dict, string name) => name switch
    {
        "get" => new(name, a => a.Expect("get", "key", "default").Get(0, "key") is { } k && dict.TryGetValue(k, out var v) ? v : a.Get(1, "default")),
        "items" => new(name, a => dict.Select(kv => (object?)new[] { kv.Key, kv.Value }).ToList()),
        "keys" => new(name, a => dict.Keys.ToList<object?>()),
        "values" => new(name, a => dict.Values.ToList()),
        "copy" => new(name, a => Copy(dict)),
        _ when UnsafeDictMethods.Contains(name) => Unsafe(name, "dict"),
        _ => null,
    };

    private static PyDict Copy(PyDict dict)
    {
        var copy = new PyDict();
        foreach (var (k, v) in dict)
            copy[k] = v;
        return copy;
    }

    private static Function? SequenceMethod(IReadOnlyList<object?> items, string name) => name switch
    {
        "count" => new(name, a => (long)items.Count(x => PyOps.Equal(x, a.Get(0, "value")))),
        "index" => new(name, a => Index(items, a.Get(0, "value"))),
        "copy" when items is List<object?> list => new(name, _ => list.ToList()),
        _ => null,
    };

    private static long Index(IReadOnlyList<object?> items, object? value)
    {
        for (var i = 0; i < items.Count; i++)
            if (PyOps.Equal(items[i], value))
                return i;
        throw new TemplateError($"{PyOps.Repr(value)} is not in list");
    }

    private static Function? StringMethod(string s, string name) => name switch
    {
        "strip" => new(name, a => PyStrings.Strip(s, OptionalString(a, "strip", "chars"))),
        "lstrip" => new(name, a => PyStrings.LStrip(s, OptionalString(a, "lstrip", "chars"))),
        "rstrip" => new(name, a => PyStrings.RStrip(s, OptionalString(a, "rstrip", "chars"))),
        "split" => new(name, a => PyStrings.Split(s, OptionalString(a.Expect("split", "sep", "maxsplit"), "split", "sep"),
            a.Get(1, "maxsplit", -1L) is long n ? n : -1).ToList<object?>()),
        "startswith" => new(name, a => Affixes(a, "startswith").Any(p => s.StartsWith(p, StringComparison.Ordinal))),
        "endswith" => new(name, a => Affixes(a, "endswith").Any(p => s.EndsWith(p, StringComparison.Ordinal))),
        "upper" => new(name, _ => PyStrings.Upper(s)),
        "lower" => new(name, _ => PyStrings.Lower(s)),
        "title" => new(name, _ => PyStrings.Title(s)),
        "capitalize" => new(name, _ => PyStrings.Capitalize(s)),
        "replace" => new(name, a => PyStrings.Replace(s, RequiredString(a, 0, "old"), RequiredString(a, 1, "new"), a.Get(2, "count", -1L) is long c ? c : -1)),
        "count" => new(name, a => PyStrings.Count(s, RequiredString(a, 0, "sub"))),
        "find" => new(name, a => (long)PyStrings.CodePointIndex(s, s.IndexOf(RequiredString(a, 0, "sub"), StringComparison.Ordinal))),
        "format" => new(name, a => PyFormat.Format(s, a)),
        "join" => new(name, a => PyOps.Join(PyOps.Iterate(a.Get(0, "iterable")).Select(x => x is string ? x : throw new TemplateError(
            $"sequence item: expected str instance, {PyOps.TypeName(x)} found")), s)),
        "isdigit" => new(name, _ => s.Length > 0 && s.All(char.IsDigit)),
        "isspace" => new(name, _ => s.Length > 0 && s.All(PyStrings.IsSpace)),
        _ => null,
    };

    private static string? OptionalString(Arguments<object?> a, string method, string parameter) => a.Get(0, parameter) switch
    {
        null => null,
        string s => s,
        var other => throw new TemplateError($"{method} arg must be None or str, not {PyOps.TypeName(other)}"),
    };

    private static string RequiredString(Arguments<object?> a, int index, string parameter) => a.Get(index, parameter) is string s
        ? s : throw new TemplateError($"argument '{parameter}' must be str, not {PyOps.TypeName(a.Get(index, parameter))}");

    private static IEnumerable<string> Affixes(Arguments<object?> a, string method) => a.Get(0, "prefix") switch
    {
        string s => [s],
        object?[] tuple when tuple.All(x => x is string) => tuple.Cast<string>(),
        var other => throw new TemplateError($"{method} first arg must be str or a tuple of str, not {PyOps.TypeName(other)}"),
    };
}

/// <summary>A slice <c>[start:stop:step]</c>, resolved against a length as Python's slice.indices does.</summary>
internal sealed record SliceValue(long? Start, long? Stop, long? Step)
{
    public IEnumerable<int> Indices(int length)
    {
        var step = Step ?? 1;
        if (step == 0)
            throw new TemplateError("slice step cannot be zero");
        var (lower, upper) = step > 0 ? (0L, (long)length) : (-1L, length - 1L);
        var start = Clamp(Start, step > 0 ? lower : upper);
        var stop = Clamp(Stop, step > 0 ? upper : lower);
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
            yield return (int)i;

        long Clamp(long? value, long fallback)
        {
            if (value is not { } v)
                return fallback;
            if (v < 0)
                v += length;
            return Math.Clamp(v, lower, upper);
        }
    }
}
