using static TorchSharp.torch;

namespace PoFT.Trainer.Model;

/// <summary>Puts another module in place of a projection under the same name, so that state-dict names stay those
/// of the checkpoint (LoRA wraps projections this way).</summary>
internal static class Projections
{
    /// <summary>The module to hold a projection (<c>q_proj</c>, …) from now on: the current one, or another.</summary>
    public delegate nn.Module<Tensor, Tensor> Swap(string name, nn.Module<Tensor, Tensor> current);

    public static nn.Module<Tensor, Tensor> Replace(nn.Module parent, string name, nn.Module<Tensor, Tensor> current, Swap swap)
    {
        var next = swap(name, current);
        if (!ReferenceEquals(next, current))
        {
            // TorchSharp refuses to register a name twice; registering null removes it first.
            parent.register_module(name, null!);
            parent.register_module(name, next);
        }
        return next;
    }
}
