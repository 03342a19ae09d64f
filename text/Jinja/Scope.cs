namespace PoFT.Text.Jinja;

/// <summary>
/// Variables visible at one point of a render. jinja2 scopes as Python functions would: a for loop's body
/// (each iteration afresh), a macro and a <c>with</c> block see their enclosing variables but assign their own;
/// <c>if</c> blocks do not scope. That is why templates carry state across iterations in a namespace.
/// </summary>
internal sealed class Scope(Scope? parent, Dictionary<string, object?>? variables = null)
{
    private readonly Dictionary<string, object?> _variables = variables ?? new(StringComparer.Ordinal);

    public object? Lookup(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            if (scope._variables.TryGetValue(name, out var value))
                return value;
        return Undefined.Variable(name);
    }

    public void Set(string name, object? value) => _variables[name] = value;

    private Scope? Parent => parent;
}
