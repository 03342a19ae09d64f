using System.Runtime;

namespace PoFT.Trainer.Training;

/// <summary>
/// Runs work during which no garbage collection may free a TorchSharp <c>Scalar</c> still in use. TorchSharp 0.107 frees
/// a Scalar's native value in its finalizer (src/TorchSharp/Scalar.cs, line 150: <c>~Scalar() =&gt; Dispose(false)</c>), and
/// its ops pass the value as a bare handle with nothing keeping the Scalar alive (src/TorchSharp/Tensor/Tensor.Math.cs,
/// line 695: <c>THSTensor_div_scalar(Handle, target.Handle, …)</c>, no <c>GC.KeepAlive</c>). A temporary Scalar — every
/// implicit conversion, as in AdamW.step's <c>sqrt() / Math.Sqrt(bias_correction2)</c>, <c>mul_(beta1)</c>,
/// <c>add_(eps)</c>: about eight per parameter (src/TorchSharp/Optimizers/AdamW.cs) — is unreachable once its handle is
/// read, so a collection triggered by another thread (the scorer's) while libtorch reads it lets the finalizer free it
/// under libtorch's feet. Seen once in about 12,000 demo steps: "Expected false to be true" from
/// <c>at::detail::scalar_tensor_static</c> in <c>AdamW.step</c>. A finalizer runs only for what a collection found
/// unreachable, so inside a no-GC region none of the work's own temporaries can be freed.
/// </summary>
public static class WithoutCollections
{
    /// <summary>Allocation the region allows before the runtime collects anyway (ending it): far above the optimizer step's
    /// own wrappers (tens of bytes per temporary), room for what other threads allocate meanwhile.</summary>
    public const long Budget = 16L << 20;

    /// <returns>Whether the work ran inside a region (false where the runtime would have had to collect fully to open one,
    /// or one was already open: the work then runs unprotected, as before).</returns>
    public static bool Run(Action work)
    {
        var started = false;
        try
        {
            // disallowFullBlockingGC: never stop the process for a full collection (a big heap makes it costly) just to
            // open the region; an ephemeral one is enough almost always.
            started = GC.TryStartNoGCRegion(Budget, disallowFullBlockingGC: true);
        }
        catch (InvalidOperationException)
        {
            // A region is already open (nested use): the outer one protects this work too.
        }
        try
        {
            work();
        }
        finally
        {
            // Allocating past the budget ends the region with a collection; ending it again would throw.
            if (started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                GC.EndNoGCRegion();
        }
        return started;
    }
}
