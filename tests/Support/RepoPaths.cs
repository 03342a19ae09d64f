namespace PoFT.Tests.Support;

/// <summary>Paths of the repository and of the assets run.sh fetches before the tests run.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Assets => Environment.GetEnvironmentVariable("POFT_ASSETS") ?? Path.Combine(Root, ".cache", "assets");

    public static string Tokenizer(string name)
    {
        var directory = Path.Combine(Assets, name);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory} missing: run ./scripts/fetch-assets.sh (./run.sh test does)");
        return directory;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PoFT.Hybrid.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("PoFT.Hybrid.sln not found above " + AppContext.BaseDirectory);
    }
}
