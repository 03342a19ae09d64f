namespace PoFT.Text.Jinja;

/// <summary>The <c>loop</c> variable of a for loop: index, first/last, neighbours, cycle and changed.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    private object? _lastChanged = Undefined.WithHint("no previous value");

    public int Index0 { get; set; }

    public object? Attribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : Undefined.WithHint("there is no previous item"),
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : Undefined.WithHint("there is no next item"),
        "cycle" => new Function("cycle", a => a.Positional.Count == 0
            ? throw new TemplateError("no items for cycling given") : a.Positional[Index0 % a.Positional.Count]),
        "changed" => new Function("changed", a => Changed(a.Positional.ToArray())),
        _ => Undefined.Member(this, name),
    };

    private bool Changed(object?[] value)
    {
        if (PyOps.Equal(value, _lastChanged))
            return false;
        _lastChanged = value;
        return true;
    }

    public override string ToString() => $"<LoopContext {Index0 + 1}/{items.Count}>";
}
