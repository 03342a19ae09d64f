namespace PoFT.NativeCompat;

/// <summary>A file that is not the ELF64 little-endian shared library the compatibility step expects.</summary>
public sealed class ElfFormatException(string path, string reason)
    : Exception($"{path}: {reason}")
{
    public string Path { get; } = path;
}
