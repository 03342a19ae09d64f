using PoFT.Scorer.Pipeline;
using PoFT.Text.Chat;
using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Text.Tokenizers;

namespace PoFT.Scorer.Manifest;

/// <summary>The manifest's aligned models opened for scoring: each with its tokenizer, chat template and
/// backend (ONNX Runtime for the product, see <see cref="IScoringBackend"/>). Mismatches that would
/// otherwise surface mid-run are found here, naming the model.</summary>
public sealed class AlignedModelSet : IDisposable
{
    public IReadOnlyList<AlignedScorerModel> Models { get; }
    public IReadOnlyList<string> Providers { get; }

    private AlignedModelSet(IReadOnlyList<AlignedScorerModel> models, IReadOnlyList<string> providers)
    {
        Models = models;
        Providers = providers;
    }

    /// <param name="tokenBudget">Padded tokens per batch; 0 picks each model's from its vocabulary size.</param>
    public static AlignedModelSet Open(ModelsManifest manifest, IScoringBackend backend, int tokenBudget, Action<string> warn)
    {
        var models = new List<AlignedScorerModel>();
        var providers = new List<string>();
        try
        {
            foreach (var spec in manifest.Models)
            {
                var (tokenize, config, vocabulary) = OpenTokenization(manifest, spec, warn);
                var (model, provider) = backend.Open(manifest, spec, warn);
                var budget = config is not null
                    ? BatchBudget.For(config, model.HeadOnScoredPositions, tokenBudget)
                    : BatchBudget.For(vocabulary, model.HeadOnScoredPositions, paddedTokens: tokenBudget);
                models.Add(new AlignedScorerModel(spec.Name, spec.Weight, tokenize, model, budget));
                providers.Add(provider);
            }
        }
        catch
        {
            models.ForEach(m => m.Model.Dispose());
            throw;
        }
        return new AlignedModelSet(models, providers);
    }

    /// <returns>The tokenization, whose errors for a sample longer than max_length name the manifest, the
    /// model and the field; the config.json the exporter puts beside model.onnx, if there is one; and the
    /// model's vocabulary size (from that config, else the tokenizer's).</returns>
    private static (Func<SftSample, TokenizedSample>, ModelConfig?, int) OpenTokenization(ModelsManifest manifest, AlignedModelSpec spec, Action<string> warn)
    {
        var tokenizer = LoadTokenizer(manifest, spec);
        var tokenize = ModelTokenization.Open(manifest, spec, tokenizer, warn);
        var configPath = Path.Combine(Path.GetDirectoryName(manifest.Resolve(spec.Onnx))!, Checkpoint.ConfigFile);
        var modelConfig = File.Exists(configPath) ? ModelConfig.Load(configPath) : null;
        var modelVocabulary = modelConfig?.VocabSize;
        if (modelVocabulary < tokenizer.VocabularySize)
            throw new ManifestException($"{manifest.Path}: model '{spec.Name}': its tokenizer has {tokenizer.VocabularySize} ids but the model's vocab_size is {modelVocabulary} ({configPath})");
        return (tokenize, modelConfig, modelVocabulary ?? tokenizer.VocabularySize ?? 128_000);
    }

    /// <summary>Each model's tokenization alone, checked as for scoring but with no backend opened: what the
    /// <c>inspect</c> verb shows.</summary>
    public static IReadOnlyList<(string Name, ChatTokenizer Chat)> OpenTokenizations(ModelsManifest manifest, Action<string> warn) =>
        [.. manifest.Models.Select(spec =>
        {
            var tokenizer = LoadTokenizer(manifest, spec);
            ModelTokenization.Open(manifest, spec, tokenizer, warn);
            return (spec.Name, new ChatTokenizer(tokenizer, spec.Template, spec.MaxLength, spec.Truncation));
        })];

    private static ModelTokenizer LoadTokenizer(ModelsManifest manifest, AlignedModelSpec spec)
    {
        try { return TokenizerLoader.Load(spec.Tokenizer, manifest.Directory); }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidDataException)
        {
            throw new ManifestException($"{manifest.Path}: model '{spec.Name}': tokenizer: {e.Message}");
        }
    }

    public void Dispose()
    {
        foreach (var model in Models)
            model.Model.Dispose();
    }
}
