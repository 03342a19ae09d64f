using PoFT.Text.Tokenizers;

namespace PoFT.Cli.Commands;

/// <summary>What <c>export</c> refuses before it writes: a checkpoint without the tokenizer files a scorer reads beside
/// model.onnx (the export would succeed and then score nothing), and an <c>--out</c> that already holds something — a
/// model replaced in place, or a stale model.onnx.data left beside a new graph, as <c>init-model</c> and
/// <c>merge</c> refuse too.</summary>
public static class ExportTarget
{
    /// <exception cref="FileNotFoundException">The checkpoint has no tokenizer.</exception>
    /// <exception cref="IOException"><paramref name="target"/> holds something and <paramref name="overwrite"/> is off.</exception>
    public static void Claim(string checkpoint, string target, bool overwrite)
    {
        try
        {
            TokenizerLoader.SpecForModelDirectory(checkpoint);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"--checkpoint {e.Message}: a scoring graph without them could not be scored; copy the base model's tokenizer files into the checkpoint");
        }
        if (!Directory.Exists(target) || !Directory.EnumerateFileSystemEntries(target).Any())
            return;
        if (!overwrite)
            throw new IOException($"--out {target} already exists and is not empty; choose a new directory, or replace what it holds with --overwrite");
        var source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(checkpoint)) + Path.DirectorySeparatorChar;
        if (source.StartsWith(Path.TrimEndingDirectorySeparator(target) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new IOException($"--out {target} holds the --checkpoint itself; --overwrite would delete it: choose another directory");
        Directory.Delete(target, recursive: true);
    }
}
