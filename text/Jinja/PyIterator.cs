namespace PoFT.Text.Jinja;

/// <summary>
/// A Python generator, as select, reject, selectattr, rejectattr, map, unique and reverse return: lazy, walked
/// once, always truthy, and without a length (<c>xs|select(...)|length</c> fails in jinja2 too; templates add
/// <c>|list</c>).
/// </summary>
internal sealed class PyIterator(IEnumerable<object?> source)
{
    private readonly IEnumerator<object?> _rest = source.GetEnumerator();

    /// <summary>The items not walked yet; walking them uses them up.</summary>
    public IEnumerable<object?> Drain()
    {
        while (_rest.MoveNext())
            yield return _rest.Current;
    }

    public override string ToString() => "<generator object>";
}
