using PoFT.Checkpoints;
using PoFT.Shared;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Text.Chat;
using PoFT.Text.Tokenizers;
using PoFT.Trainer.Model;

namespace PoFT.Generation;

/// <summary>A checkpoint that answers conversations: its model (a LoRA run's adapter on its base, unmerged), its
/// tokenizer and the chat template it was trained with (its tokenizer_config.json's <c>chat_template</c>, or one
/// named).</summary>
public sealed class CheckpointChat : IDisposable
{
    private readonly bool _ownsModel;

    private CheckpointChat(LlamaForCausalLM model, ModelTokenizer tokenizer, ChatTemplateSpec template, bool ownsModel) =>
        (Model, Tokenizer, Template, _ownsModel) = (model, tokenizer, template, ownsModel);

    /// <summary>A model already loaded (the one being trained), which stays its owner's: disposing this leaves it be.</summary>
    public static CheckpointChat Over(LlamaForCausalLM model, ModelTokenizer tokenizer, ChatTemplateSpec template) => new(model, tokenizer, template, ownsModel: false);

    public LlamaForCausalLM Model { get; }
    public ModelTokenizer Tokenizer { get; }
    public ChatTemplateSpec Template { get; }

    /// <summary>Whether each answer uses the KV cache (the bench turns it off to measure what it saves).</summary>
    public bool UseCache { get; set; } = true;

    /// <param name="template">Null: the checkpoint's own chat_template.</param>
    public static CheckpointChat Open(string checkpoint, Placement placement, ChatTemplateSpec? template = null)
    {
        if (!File.Exists(Path.Combine(checkpoint, Checkpoint.ConfigFile)) && !Checkpoint.IsAdapter(checkpoint))
            throw new PoftUserException($"{checkpoint}: not a checkpoint (no {Checkpoint.ConfigFile} or {Checkpoint.AdapterConfigFile})");
        var model = ModelCheckpoint.Load(checkpoint, placement);
        try
        {
            var tokenizerDirectory = Checkpoint.TokenizerFiles.Any(f => File.Exists(Path.Combine(checkpoint, f))) || model.Lora is null
                ? checkpoint : model.Lora.BaseModel;
            var tokenizer = TokenizerLoader.LoadFromModelDirectory(tokenizerDirectory);
            return new CheckpointChat(model, tokenizer, template ?? OwnTemplate(tokenizer), ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The template the run trained with where the checkpoint records it, else its Hugging Face chat_template.</summary>
    public static ChatTemplateSpec OwnTemplate(ModelTokenizer tokenizer) =>
        TokenizerConfigFile.RunTemplate(tokenizer) ?? (TokenizerConfigFile.ChatTemplate(tokenizer) is not null ? new ChatTemplateSpec(ChatTemplateSpec.Auto)
            : throw new PoftUserException($"{TokenizerConfigFile.PathBeside(tokenizer)}: no chat_template to render prompts with " +
                "(a run's checkpoints carry the template they trained with); name one with --template (a family: llama3, chatml, zephyr, mistral-inst, plain; or a .jinja file)"));

    /// <summary>The prompt the conversation renders to and its token ids.</summary>
    public (GenerationPrompt Prompt, int[] Ids) Render(IReadOnlyList<ChatMessage> messages)
    {
        var prompt = GenerationPrompt.For(Template, Tokenizer, messages);
        return (prompt, Tokenizer.Encode(prompt.Text).Ids);
    }

    /// <summary>The assistant's next turn in <paramref name="messages"/>.</summary>
    public GeneratedAnswer Answer(IReadOnlyList<ChatMessage> messages, SamplingOptions options)
    {
        var (prompt, ids) = Render(messages);
        var answer = new TokenGenerator(Model) { UseCache = UseCache }.Generate(ids, options, StopRule.For(prompt, Tokenizer, Model.Config));
        return answer with { Text = answer.Text.Trim() };
    }

    public void Dispose()
    {
        if (_ownsModel)
            Model.Dispose();
    }
}
