using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using static TorchSharp.torch;

namespace PoFT.Tests.Model;

/// <summary>The chunked LM head + log-softmax against the plain one (<c>LogitsChunk = 0</c>), with a chunk
/// that does not divide the scored positions (7 + 4 = 11 positions in chunks of 4).</summary>
public class ChunkedTokenLogProbsTests
{
    private static readonly Tensor Ids = tensor(new long[] { 3, 9, 27, 81, 12, 5, 44, 60, 7, 14, 28, 56, 90, 0, 0, 0 }, [2, 8]);
    private static readonly Tensor Mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, [2, 8]);

    [Theory]
    [InlineData("gqa-tied", false)]
    [InlineData("mha-untied", false)]
    [InlineData("gqa-tied", true)]
    [InlineData("mha-untied", true)]
    [InlineData("gemma2-softcaps-window-3", false)]
    public void Values_and_gradients_equal_the_unchunked_path(string variant, bool frozenHead)
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config(variant), seed: 21);
        var head = model.named_parameters().Single(p => p.name == (model.Config.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight")).parameter;
        head.requires_grad = !frozenHead;
        // Distinct upstream gradients per position, so a chunk that takes another's would show.
        var upstream = randn([2, 7], generator: new Generator(5));

        var (plain, plainGrads) = Run(model, chunk: 0, upstream);
        var (chunked, chunkedGrads) = Run(model, chunk: 4, upstream);

        Assert.True(allclose(plain, chunked, rtol: 1e-5, atol: 1e-6));
        Assert.Equal(plainGrads.Keys, chunkedGrads.Keys);
        foreach (var (name, grad) in plainGrads)
            Assert.True(allclose(grad, chunkedGrads[name], rtol: 1e-4, atol: 1e-6), name);
        Assert.Equal(frozenHead, head.grad is null);
    }

    private static (Tensor Values, Dictionary<string, Tensor> Grads) Run(LlamaForCausalLM model, int chunk, Tensor upstream)
    {
        model.zero_grad(set_to_none: true);
        model.LogitsChunk = chunk;
        var values = model.TokenLogProbs(Ids, Mask);
        (values * upstream).sum().backward();
        return (values.detach(), model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
    }
}
