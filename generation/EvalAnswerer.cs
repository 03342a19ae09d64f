using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Text.Tokenizers;
using PoFT.Trainer.Model;
using PoFT.Trainer.Training;

namespace PoFT.Generation;

/// <summary>The sample answers of a run's evaluations (<c>eval_samples</c>): the model being trained answers greedily,
/// with the run's tokenizer and template, at most <see cref="MaxNewTokens"/> tokens, so that an evaluation stays
/// short and two runs' answers to one prompt are comparable.</summary>
public sealed class EvalAnswerer(LlamaForCausalLM model, ModelTokenizer tokenizer, ChatTemplateSpec template) : IPromptAnswerer
{
    public const int MaxNewTokens = 64;

    private readonly CheckpointChat _chat = CheckpointChat.Over(model, tokenizer, template);

    public string Answer(IReadOnlyList<ChatMessage> messages) => _chat.Answer(messages, SamplingOptions.Greedy(MaxNewTokens)).Text;
}
