using System.Text.Json.Serialization;

namespace PoFT.Shared.Manifest;

/// <summary>
/// Where a model's tokenizer comes from, as the models manifest writes it (snake_case JSON).
/// Kinds: <c>hf</c> (<see cref="Path"/> to a Hugging Face tokenizer.json; tokenizer_config.json beside it names
/// bos/eos), <c>gpt2</c> (<see cref="Path"/> to a directory with encoder.json and vocab.bpe),
/// <c>sentencepiece</c> (<see cref="Path"/> to a .model), <c>tiktoken</c> (<see cref="Encoding"/> such as
/// <c>cl100k_base</c>, or <see cref="Path"/> to a .tiktoken file plus its <see cref="Pattern"/> and
/// <see cref="SpecialTokens"/>). <see cref="BosToken"/>/<see cref="EosToken"/> override the token texts the
/// files imply. Relative paths are resolved against the directory given to <see cref="TokenizerLoader"/>.
/// </summary>
public sealed record TokenizerSpec(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("path")] string? Path = null,
    [property: JsonPropertyName("encoding")] string? Encoding = null,
    [property: JsonPropertyName("pattern")] string? Pattern = null,
    [property: JsonPropertyName("special_tokens")] IReadOnlyDictionary<string, int>? SpecialTokens = null,
    [property: JsonPropertyName("bos_token")] string? BosToken = null,
    [property: JsonPropertyName("eos_token")] string? EosToken = null)
{
    public const string HuggingFace = "hf";
    public const string Gpt2 = "gpt2";
    public const string SentencePiece = "sentencepiece";
    public const string Tiktoken = "tiktoken";
    public static readonly IReadOnlyList<string> Kinds = [HuggingFace, Gpt2, SentencePiece, Tiktoken];
}
