using static TorchSharp.torch;

namespace PoFT.Trainer.Model;

/// <summary>
/// The gradients a custom autograd function's backward hands to the engine. They cannot be disposed before
/// backward returns, since the engine takes its own reference only then; and on CUDA backward runs on the
/// engine's thread, outside any dispose scope, so nothing but the garbage collector would free them, with GPU
/// memory the size of the gradients (a [vocabulary, hidden] head) waiting on it. Each thread instead disposes
/// what it handed over at its previous backward, which the engine has taken by then.
/// </summary>
internal static class HandedGradients
{
    [ThreadStatic]
    private static List<Tensor>? _previous;

    /// <param name="gradients">One per argument of <c>apply</c>, in order; null where it has none.</param>
    public static List<Tensor> Hand(params Tensor?[] gradients)
    {
        _previous?.ForEach(t => t.Dispose());
        _previous = [.. gradients.OfType<Tensor>().Select(t => t.DetachFromDisposeScope())];
        // null: no gradient for that argument (TorchSharp's list is not annotated for it).
        return [.. gradients.Select(t => t!)];
    }
}
