using TorchSharp;
using static TorchSharp.torch;

namespace PoFT.Trainer.Model;

/// <summary>
/// Gradient checkpointing of one decoder layer, the reentrant scheme: forward runs the layer without a graph
/// and keeps only its input; backward runs it again with a graph and back-propagates through that, so a
/// layer's activations exist only while its own backward runs. Its parameters' gradients accumulate into
/// their <c>.grad</c> there; the input's gradient is returned to the outer graph.
/// </summary>
public sealed class CheckpointedLayer : autograd.SingleTensorFunction<CheckpointedLayer>
{
    private const string LayerKey = "layer", CudaSeedKey = "cuda seed";

    public override string Name => nameof(CheckpointedLayer);

    public static Tensor Apply(nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor> layer, Tensor x, Tensor cos, Tensor sin, Tensor mask) =>
        // Autograd calls backward only when an input requires grad: with a frozen embedding (LoRA) the first
        // layer's input would not, and that layer's trainable weights would get no gradient.
        apply(layer, x.requires_grad ? x : x.detach().requires_grad_(), cos, sin, mask);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (layer, x, cos, sin, mask) = ((nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4]);
        // The recomputation must draw the same random numbers (dropout) as this pass.
        ctx.save_for_backward([x, cos, sin, mask, get_rng_state()]);
        ctx.save_data(LayerKey, layer);
        if (x.device.type == DeviceType.CUDA)
        {
            // TorchSharp cannot read the CUDA generator's state, only seed it: this pass and the recomputation
            // both start from a seed drawn from the CPU generator, which keeps runs reproducible.
            var seed = randint(long.MaxValue, [1]).item<long>();
            cuda.manual_seed(seed);
            ctx.save_data(CudaSeedKey, seed);
        }
        return layer.forward(x, cos, sin, mask);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        // Everything else here, the incoming gradient included, is freed on leaving (see HandedGradients).
        using var scope = NewDisposeScope();
        gradOutput.MoveToOtherDisposeScope(scope);
        var saved = ctx.get_saved_variables();
        var layer = (nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>)ctx.get_data(LayerKey);
        // Backward must not move the generator on: the next forward draws what it would have drawn without checkpointing.
        var generatorNow = get_rng_state();
        set_rng_state(saved[4]);
        if (ctx.get_data(CudaSeedKey) is long seed)
            cuda.manual_seed(seed);
        var input = saved[0].detach().requires_grad_();
        using (enable_grad())
            layer.forward(input, saved[1], saved[2], saved[3]).backward([gradOutput]);
        set_rng_state(generatorNow);
        return HandedGradients.Hand(null, input.grad, null, null, null);
    }
}
