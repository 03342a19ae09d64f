using Microsoft.ML.Tokenizers;

namespace PoFT.Text.Tokenizers;

internal static class LibraryErrors
{
    /// <summary>Runs a <see cref="Tokenizer"/> factory on what a file holds. The library's exceptions name no file
    /// ("Invalid merger file format"), so they are rethrown naming <paramref name="source"/>.</summary>
    public static T NamingFile<T>(string source, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
    }
}
