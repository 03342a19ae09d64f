using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace PoFT.Tests.Model;

public class GradientCheckpointingTests
{
    private static readonly Tensor Ids = tensor(new long[] { 3, 9, 27, 81, 12, 5, 44, 60, 7, 14, 28, 56, 90, 0, 0, 0 }, [2, 8]);
    private static readonly Tensor Mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, [2, 8]);

    [Theory]
    [InlineData("gqa-tied", false)]
    [InlineData("gqa-untied-llama3-rope", false)]
    [InlineData("gqa-untied-llama3-rope", true)]
    public void Checkpointed_layers_give_every_parameter_the_gradient_of_the_plain_model(string variant, bool frozenEmbedding)
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config(variant), seed: 31);
        // As with LoRA: the first layer's input then needs no gradient, its weights still do.
        model.named_parameters().Single(p => p.name == "model.embed_tokens.weight").parameter.requires_grad = !frozenEmbedding;
        var upstream = randn([2, 7], generator: new Generator(6));

        var (plain, plainGrads) = Run(model, checkpointed: false, upstream);
        var (checkpointed, checkpointedGrads) = Run(model, checkpointed: true, upstream);

        Assert.Equal(plain.data<float>().ToArray(), checkpointed.data<float>().ToArray());
        Assert.Equal(plainGrads.Keys, checkpointedGrads.Keys);
        Assert.Equal(model.parameters().Count(p => p.requires_grad), plainGrads.Count);
        foreach (var (name, grad) in plainGrads)
            Assert.True(allclose(grad, checkpointedGrads[name], rtol: 1e-5, atol: 1e-7), name);
    }

    [Fact]
    public void Dropout_inside_a_checkpointed_layer_recomputes_the_same_mask_and_leaves_the_generator_as_without()
    {
        using var layer = new DropoutLayer();
        var x = randn([4, 16], generator: new Generator(7));

        manual_seed(8);
        layer.forward(x.detach().requires_grad_(), x, x, x).sum().backward();
        var plain = layer.Weight.grad!.clone();
        var nextPlain = rand(1).item<float>();

        layer.zero_grad();
        manual_seed(8);
        CheckpointedLayer.Apply(layer, x.detach().requires_grad_(), x, x, x).sum().backward();
        var checkpointed = layer.Weight.grad!.clone();
        var nextCheckpointed = rand(1).item<float>();

        Assert.Equal(plain.data<float>().ToArray(), checkpointed.data<float>().ToArray());
        Assert.Equal(nextPlain, nextCheckpointed);
    }

    private static (Tensor Values, Dictionary<string, Tensor> Grads) Run(LlamaForCausalLM model, bool checkpointed, Tensor upstream)
    {
        model.zero_grad(set_to_none: true);
        model.GradientCheckpointing = checkpointed;
        var values = model.TokenLogProbs(Ids, Mask);
        (values * upstream).sum().backward();
        return (values.detach(), model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
    }

    /// <summary>A layer whose gradient depends on its dropout mask: recomputed with other random numbers, it differs.</summary>
    private sealed class DropoutLayer : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
    {
        public readonly TorchSharp.Modules.Parameter Weight = nn.Parameter(randn([16, 16], generator: new Generator(9)));

        public DropoutLayer() : base(nameof(DropoutLayer)) => RegisterComponents();

        public override Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor mask) =>
            nn.functional.dropout(x.mm(Weight), p: 0.5, training: true).pow(2);
    }
}
