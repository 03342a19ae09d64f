using PoFT.Checkpoints;
using PoFT.Trainer.Model;
using static TorchSharp.torch;

namespace PoFT.Generation;

/// <summary>Why an answer ended.</summary>
public enum StopReason { EndOfTurn, MaxNewTokens }

/// <param name="Tokens">The answer's tokens, the stop token left out.</param>
/// <param name="Text">The answer decoded, cut before a text end-of-turn.</param>
public sealed record GeneratedAnswer(IReadOnlyList<int> Tokens, string Text, StopReason Stop);

/// <summary>
/// The decoding loop: the prompt runs once through the model, then each drawn token alone, its keys and values
/// joining the model's <see cref="KvCache"/>; without the cache (<see cref="UseCache"/> false, the reference the
/// tests and the bench compare with) the whole sequence runs again for every token. Batch of one.
/// </summary>
public sealed class TokenGenerator(LlamaForCausalLM model)
{
    public bool UseCache { get; init; } = true;

    public GeneratedAnswer Generate(IReadOnlyList<int> prompt, SamplingOptions options, StopRule stop)
    {
        if (prompt.Count == 0)
            throw new ArgumentException("an empty prompt: nothing to continue");
        var wasTraining = model.training;
        model.eval();
        using var _ = no_grad();
        using var sampler = new TokenSampler(options);
        using var cache = UseCache ? model.NewCache() : null;
        var device = model.parameters().First().device;
        List<int> ids = [.. prompt], generated = [];
        try
        {
            while (generated.Count < options.MaxNewTokens)
            {
                if (cache is not null && RopeTableChanged(model.Config, cache.Length, ids.Count))
                    cache.Dispose();
                var input = cache is null ? ids : ids[(int)cache.Length..];
                using var inputIds = tensor(input.Select(i => (long)i).ToArray(), [1, input.Count], device: device);
                using var logits = model.NextTokenLogits(inputIds, cache);
                using var row = logits[0];
                var next = sampler.Next(row);
                if (stop.IsStopToken(next))
                    return new GeneratedAnswer(generated, stop.Decode(generated), StopReason.EndOfTurn);
                generated.Add(next);
                ids.Add(next);
                if (stop.TextEnd(generated) is { } text)
                    return new GeneratedAnswer(generated, text, StopReason.EndOfTurn);
            }
            return new GeneratedAnswer(generated, stop.Decode(generated), StopReason.MaxNewTokens);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Longrope (Phi-3) rotates every key of a sequence longer than original_max_position_embeddings by the long
    /// factors, so keys cached while it was shorter are stale once it grows past that: the cache is dropped and the
    /// whole sequence runs again, as transformers' Phi3ForCausalLM.prepare_inputs_for_generation does (modeling_phi3.py).</summary>
    public static bool RopeTableChanged(ModelConfig config, long cached, int total) =>
        RotaryFrequencies.LongSamplesAbove(config) is { } above && cached > 0 && cached <= above && total > above;
}
