namespace PoFT.Checkpoints;

public static class TensorShape
{
    /// <summary>The number of elements of a shape. Checked: shapes come from files, and a product that wrapped
    /// around (to 0, say) would let a tensor pass as matching a byte range it does not.</summary>
    /// <exception cref="OverflowException">The product does not fit in a long.</exception>
    public static long ElementCount(IEnumerable<long> shape) => shape.Aggregate(1L, (a, b) => checked(a * b));
}
