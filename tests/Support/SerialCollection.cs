namespace PoFT.Tests.Support;

/// <summary>Tests that compare training runs bit for bit: libtorch's parallel reductions split work by
/// what else is running, and Adam amplifies the last-bit differences of near-zero gradients, so these
/// run with no other test class beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial: bit-exact training";
}
