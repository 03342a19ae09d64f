namespace PoFT.NativeCompat;

public enum CompatOutcome { NotNeeded, AlreadyWeak, MarkedWeak }

/// <summary>
/// TorchSharp 0.107.0's libLibTorchSharp.so is linked with GCC 13 and asks libstdc++ for GLIBCXX_3.4.32
/// only for <c>std::ios_base_library_init()</c>, which GCC 13's &lt;iostream&gt; references to force linking
/// and never calls. On a GCC 12 runtime (Debian 12, Ubuntu 22.04) the loader refuses the library for that
/// one version. Marking the requirement weak turns the refusal into a warning; the step refuses to do it
/// if any other symbol is bound to that version, since such a symbol would really be missing at run time.
/// </summary>
public static class TorchSharpGlibcxxCompat
{
    public const string Version = "GLIBCXX_3.4.32";
    public const string Dependency = "libstdc++.so.6";
    public static readonly IReadOnlySet<string> HarmlessSymbols = new HashSet<string>(StringComparer.Ordinal) { "_ZSt21ios_base_library_initv" };

    /// <summary>Makes <paramref name="library"/> loadable with <paramref name="systemLibstdcxx"/>, in place,
    /// by writing a new file and renaming it over the old one (so a hard link into a package cache is never
    /// written through).</summary>
    public static CompatOutcome Apply(string library, string systemLibstdcxx)
    {
        if (ElfSymbolVersions.Read(systemLibstdcxx).Definitions.Contains(Version))
            return CompatOutcome.NotNeeded;
        var image = File.ReadAllBytes(library);
        var need = ElfSymbolVersions.Parse(library, image).Needs
            .SingleOrDefault(n => n.Name == Version && n.File == Dependency);
        if (need is null)
            return CompatOutcome.NotNeeded;
        if (need.IsWeak)
            return CompatOutcome.AlreadyWeak;
        var bound = ElfSymbolVersions.Parse(library, image).SymbolsBoundTo(need.Index);
        var harmful = bound.Where(s => !HarmlessSymbols.Contains(s)).ToList();
        if (harmful.Count > 0)
            throw new ElfFormatException(library,
                $"{Version} is needed by symbols that may be called ({string.Join(", ", harmful)}); " +
                $"marking it weak would not make the library work. Install a libstdc++ with {Version} (GCC 13 or newer).");

        var flags = (ushort)(need.Flags | VersionNeed.WeakFlag);
        BitConverter.TryWriteBytes(image.AsSpan((int)need.FlagsOffset, 2), flags);
        WriteReplacing(library, image);
        return CompatOutcome.MarkedWeak;
    }

    /// <summary>The libstdc++ this process has loaded (the .NET runtime links it), else the first in the
    /// usual library folders.</summary>
    public static string LocateSystemLibstdcxx()
    {
        const string maps = "/proc/self/maps";
        if (File.Exists(maps))
        {
            var mapped = File.ReadLines(maps)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
                .FirstOrDefault(p => p is not null && Path.GetFileName(p) == Dependency);
            if (mapped is not null)
                return mapped;
        }
        string[] folders = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib"];
        return folders.Select(f => Path.Combine(f, Dependency)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{Dependency} not found in the process map or in {string.Join(", ", folders)}");
    }

    private static void WriteReplacing(string path, byte[] image)
    {
        var temp = path + ".poft-tmp";
        var mtime = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(temp, image);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
        // Keep the copy's time stamp so that MSBuild's incremental copy sees the file as up to date and
        // does not replace it with the unpatched package file on the next build.
        File.SetLastWriteTimeUtc(temp, mtime);
        File.Move(temp, path, overwrite: true);
    }
}
