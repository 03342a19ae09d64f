using System.Diagnostics;
using System.Security.Cryptography;
using PoFT.NativeCompat;
using PoFT.Tests.Support;

namespace PoFT.Tests.Foundation;

public class NativeCompatTests
{
    private static readonly string PackageLibrary = Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void Marks_only_the_GLIBCXX_3_4_32_requirement_weak_and_leaves_the_input_untouched()
    {
        using var temp = new TempDirectory();
        var input = temp.File("input.so");
        File.Copy(PackageLibrary, input);
        var output = temp.File("output.so");
        // A hard link shares the input's bytes: writing through it would change the input too.
        Link(input, output);
        var inputHash = Hash(input);
        var systemLibstdcxx = TorchSharpGlibcxxCompat.LocateSystemLibstdcxx();
        var systemHasVersion = ElfSymbolVersions.Read(systemLibstdcxx).Definitions.Contains(TorchSharpGlibcxxCompat.Version);

        var outcome = TorchSharpGlibcxxCompat.Apply(output, systemLibstdcxx);

        Assert.Equal(inputHash, Hash(input));
        if (systemHasVersion)
        {
            Assert.Equal(CompatOutcome.NotNeeded, outcome);
            return;
        }
        Assert.Equal(CompatOutcome.MarkedWeak, outcome);
        // readelf is an independent reader of the same tables.
        var versions = ReadElfVersions(output);
        Assert.Contains(versions, l => l.Contains("Name: GLIBCXX_3.4.32") && l.Contains("Flags: WEAK"));
        Assert.Equal(
            ReadElfVersions(input).Count(l => l.Contains("Flags: WEAK")) + 1,
            versions.Count(l => l.Contains("Flags: WEAK")));
        var before = File.ReadAllBytes(input);
        var after = File.ReadAllBytes(output);
        Assert.Equal(before.Length, after.Length);
        Assert.Single(Enumerable.Range(0, before.Length), i => before[i] != after[i]);

        Assert.Equal(CompatOutcome.AlreadyWeak, TorchSharpGlibcxxCompat.Apply(output, systemLibstdcxx));
    }

    [Fact]
    public void The_test_process_loaded_the_patched_copy_from_its_own_output()
    {
        var outputCopy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var need = ElfSymbolVersions.Read(outputCopy).Needs.Single(n => n.Name == TorchSharpGlibcxxCompat.Version);
        var systemHasVersion = ElfSymbolVersions.Read(TorchSharpGlibcxxCompat.LocateSystemLibstdcxx()).Definitions.Contains(TorchSharpGlibcxxCompat.Version);
        Assert.True(need.IsWeak || systemHasVersion);
        Assert.False(ElfSymbolVersions.Read(PackageLibrary).Needs.Single(n => n.Name == TorchSharpGlibcxxCompat.Version).IsWeak,
            "the NuGet package copy must never be edited");
    }

    [Fact]
    public void Only_the_never_called_ios_base_init_symbol_is_bound_to_the_version()
    {
        var elf = ElfSymbolVersions.Read(PackageLibrary);
        var need = elf.Needs.Single(n => n.Name == TorchSharpGlibcxxCompat.Version);
        Assert.Equal(["_ZSt21ios_base_library_initv"], elf.SymbolsBoundTo(need.Index));
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_an_error_naming_it()
    {
        using var temp = new TempDirectory();
        var bogus = temp.File("libLibTorchSharp.so");
        File.WriteAllText(bogus, "not a shared library");
        var error = Assert.Throws<ElfFormatException>(() => TorchSharpGlibcxxCompat.Apply(bogus, TorchSharpGlibcxxCompat.LocateSystemLibstdcxx()));
        Assert.Contains(bogus, error.Message);
    }

    [Fact]
    public void A_truncated_ELF_is_an_error_not_a_silent_skip()
    {
        using var temp = new TempDirectory();
        var truncated = temp.File("truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(PackageLibrary).AsSpan(0, 4096).ToArray());
        var error = Assert.Throws<ElfFormatException>(() => ElfSymbolVersions.Read(truncated));
        Assert.Contains("beyond the file", error.Message);
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static void Link(string existing, string link)
    {
        using var ln = Process.Start("ln", [existing, link])!;
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    private static List<string> ReadElfVersions(string path)
    {
        var start = new ProcessStartInfo("readelf", ["-V", "-W", path]) { RedirectStandardOutput = true };
        using var readelf = Process.Start(start)!;
        var lines = readelf.StandardOutput.ReadToEnd().Split('\n').ToList();
        readelf.WaitForExit();
        Assert.Equal(0, readelf.ExitCode);
        return lines;
    }
}
