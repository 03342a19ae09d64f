using PoFT.NativeCompat;

// Usage: NativeCompat <libLibTorchSharp.so> [--libstdcxx PATH]
// Prints one line when it changes the file, nothing otherwise; a file it cannot parse is a build error
// in MSBuild's canonical format.
if (args.Length is not (1 or 3) || (args.Length == 3 && args[1] != "--libstdcxx"))
{
    Console.Error.WriteLine("usage: NativeCompat <libLibTorchSharp.so> [--libstdcxx PATH]");
    return 2;
}
var library = args[0];
try
{
    var libstdcxx = args.Length == 3 ? args[2] : TorchSharpGlibcxxCompat.LocateSystemLibstdcxx();
    if (TorchSharpGlibcxxCompat.Apply(library, libstdcxx) == CompatOutcome.MarkedWeak)
        Console.WriteLine($"NativeCompat: {libstdcxx} lacks {TorchSharpGlibcxxCompat.Version}: marked that requirement weak in {library}");
    return 0;
}
catch (Exception e) when (e is ElfFormatException or IOException or UnauthorizedAccessException)
{
    Console.WriteLine($"{library}: error POFT001: cannot make TorchSharp loadable: {e.Message}");
    return 1;
}
