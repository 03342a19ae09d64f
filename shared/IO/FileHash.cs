using System.Security.Cryptography;
using System.Text;

namespace PoFT.Shared;

/// <summary>SHA-256 of what a run depends on, so that a changed file — even under the same path — is seen.</summary>
public static class FileHash
{
    /// <summary>Lower-case hex SHA-256 of the file's content, read through once.</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>SHA-256 over the names and contents of a folder's files (not its sub-folders), in name order; only those
    /// <paramref name="include"/> accepts, where given. Writes still in progress (<see cref="AtomicFile.IsTemporary"/>)
    /// are left out.</summary>
    public static string Sha256OfFolder(string directory, Func<string, bool>? include = null)
    {
        var listing = new StringBuilder();
        foreach (var file in Directory.GetFiles(directory).Where(f => !AtomicFile.IsTemporary(f) && (include?.Invoke(f) ?? true)).Order(StringComparer.Ordinal))
            listing.Append(Path.GetFileName(file)).Append('\0').Append(Sha256(file)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }
}
