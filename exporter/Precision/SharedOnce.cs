namespace PoFT.Exporter.Precision;

/// <summary>A value computed on the first of a fixed number of reads and forgotten after the last, so the
/// three initializers of one quantized matrix (B, scales, zero points) share one quantization pass without
/// the exporter holding every layer's result until the model is written. A graph written again computes it
/// again.</summary>
internal sealed class SharedOnce<T>(Func<T> compute, int readers) where T : class
{
    private T? _value;
    private readonly int _readers = readers;
    private int _left = readers;

    public TResult Read<TResult>(Func<T, TResult> select)
    {
        var value = _value ??= compute();
        if (--_left == 0)
            (_value, _left) = (null, _readers);
        return select(value);
    }
}
