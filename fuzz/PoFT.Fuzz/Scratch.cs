namespace PoFT.Fuzz;

/// <summary>
/// The readers under test take paths, so each input is written to a file first: in one directory per process
/// (under $TMPDIR; scripts/fuzz.sh points it at /dev/shm), overwritten by the next input.
/// </summary>
public static class Scratch
{
    private static readonly Lazy<string> Root = new(() => System.IO.Directory.CreateTempSubdirectory("poft-fuzz-").FullName);

    /// <summary>A fresh directory for inputs that are a directory's files (a model directory).</summary>
    public static string Directory(string name)
    {
        var path = Path.Combine(Root.Value, name);
        if (System.IO.Directory.Exists(path))
            System.IO.Directory.Delete(path, recursive: true);
        return System.IO.Directory.CreateDirectory(path).FullName;
    }

    public static string File(string name, ReadOnlySpan<byte> bytes)
    {
        var path = Path.Combine(Root.Value, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }
}
