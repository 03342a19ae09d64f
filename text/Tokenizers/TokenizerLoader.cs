using PoFT.Shared.Manifest;

namespace PoFT.Text.Tokenizers;

/// <summary>Loads the tokenizer a <see cref="TokenizerSpec"/> describes.</summary>
public static class TokenizerLoader
{
    /// <param name="baseDirectory">Directory that relative paths in the spec are relative to (the manifest's).</param>
    public static ModelTokenizer Load(TokenizerSpec spec, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            TokenizerSpec.HuggingFace => HfTokenizerJson.Load(ExistingFile(spec, baseDirectory), spec.BosToken, spec.EosToken),
            TokenizerSpec.Gpt2 => Gpt2TokenizerFiles.Load(ExistingDirectory(spec, baseDirectory), spec.BosToken, spec.EosToken),
            TokenizerSpec.SentencePiece => SentencePieceModelFile.Load(ExistingFile(spec, baseDirectory), spec.BosToken, spec.EosToken),
            TokenizerSpec.Tiktoken => LoadTiktoken(spec, baseDirectory),
            _ => throw new ArgumentException($"tokenizer field 'kind': '{spec.Kind}' is not one of {string.Join(", ", TokenizerSpec.Kinds)}"),
        };
    }

    /// <summary>
    /// The tokenizer stored in a model directory (a checkpoint, or the directory given to <c>init-model</c>):
    /// tokenizer.json, or GPT-2's vocabulary and merges (vocab.json + merges.txt, or encoder.json + vocab.bpe).
    /// </summary>
    public static ModelTokenizer LoadFromModelDirectory(string directory) => Load(SpecForModelDirectory(directory), directory);

    /// <summary>How a model directory's tokenizer is loaded, relative to the directory: its tokenizer.json, or
    /// GPT-2's files.</summary>
    public static TokenizerSpec SpecForModelDirectory(string directory)
    {
        if (File.Exists(Path.Combine(directory, HfTokenizerJson.FileName)))
            return new TokenizerSpec(TokenizerSpec.HuggingFace, HfTokenizerJson.FileName);
        if (Gpt2TokenizerFiles.Find(directory) is not null)
            return new TokenizerSpec(TokenizerSpec.Gpt2, ".");
        throw new FileNotFoundException($"{directory}: no tokenizer; expected {HfTokenizerJson.FileName}, or GPT-2's "
            + string.Join(" or ", Gpt2TokenizerFiles.FileNames.Select(pair => $"{pair.Vocabulary} + {pair.Merges}")));
    }

    private static ModelTokenizer LoadTiktoken(TokenizerSpec spec, string baseDirectory)
    {
        if ((spec.Encoding is null) == (spec.Path is null))
            throw new ArgumentException("tokenizer of kind 'tiktoken': give exactly one of the fields 'encoding' and 'path'");
        if (spec.Encoding is not null)
            return TiktokenFiles.LoadEncoding(spec.Encoding, spec.BosToken, spec.EosToken);
        var pattern = spec.Pattern ?? throw new ArgumentException($"tokenizer of kind 'tiktoken' with path '{spec.Path}': field 'pattern' (the pre-tokenizer regex) is required");
        return TiktokenFiles.LoadFile(ExistingFile(spec, baseDirectory), pattern, spec.SpecialTokens ?? new Dictionary<string, int>(), spec.BosToken, spec.EosToken);
    }

    private static string ExistingFile(TokenizerSpec spec, string baseDirectory)
    {
        var path = ResolvedPath(spec, baseDirectory);
        return File.Exists(path) ? path : throw new FileNotFoundException($"tokenizer field 'path' (kind '{spec.Kind}'): file {path} not found", path);
    }

    private static string ExistingDirectory(TokenizerSpec spec, string baseDirectory)
    {
        var path = ResolvedPath(spec, baseDirectory);
        return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"tokenizer field 'path' (kind '{spec.Kind}'): directory {path} not found");
    }

    private static string ResolvedPath(TokenizerSpec spec, string baseDirectory) => spec.Path is { Length: > 0 } path
        ? Path.GetFullPath(path, Path.GetFullPath(baseDirectory))
        : throw new ArgumentException($"tokenizer of kind '{spec.Kind}': field 'path' is required");
}
