using PoFT.Cli.Terminal;
using PoFT.Exporter.Precision;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Training;

namespace PoFT.Tests.Cli;

/// <summary><c>poft</c> reports the project's refusals of its input as one line; an exception from a bug —
/// whatever its type — escapes with its stack trace.</summary>
public class UserErrorTests
{
    [Fact]
    public void The_projects_refusals_and_a_missing_file_are_the_users_to_fix()
    {
        Exception[] refusals =
        [
            Record.Exception(() => ComputeDtypes.Parse("fp8", "--dtype")),
            new DataFormatException("train.jsonl:3", "missing field 'messages'"),
            new ManifestException("models.json: models[0].weight: -1 is out of range"),
            // The older refusals are plain ArgumentException/FormatException/..., thrown by the project itself.
            Record.Exception(() => ExportPrecision.ParseDtype("fp8")),
            Record.Exception(() => JobShard.Resolve(null, name => name == JobShard.IndexVariable ? "1" : null)),
            Record.Exception(() => File.ReadAllText(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config.json"))),
            // Rethrown across an await, as a command's action rethrows it.
            Record.Exception(() => Task.Run(() => ExportPrecision.ParseDtype("fp8")).GetAwaiter().GetResult()),
        ];

        Assert.All(refusals, e => Assert.True(UserError.Is(e), e.ToString()));
    }

    [Fact]
    public void The_same_types_thrown_by_dotnet_and_their_subclasses_are_bugs()
    {
        Exception[] bugs =
        [
            Record.Exception(() => Array.Empty<int>().Single()),
            Record.Exception(() => new Dictionary<string, int> { ["a"] = 1 }.Add("a", 2)),
            Record.Exception(() => ArgumentNullException.ThrowIfNull((object?)null, "config")),
            Record.Exception(() => ArgumentOutOfRangeException.ThrowIfNegative(-1, "steps")),
            Record.Exception(() => _ = Environment.GetEnvironmentVariable(Guid.NewGuid().ToString("N"))!.Length),
            Record.Exception(() => Task.Run(() => Array.Empty<int>().Single()).GetAwaiter().GetResult()),
        ];

        Assert.All(bugs, e => Assert.False(UserError.Is(e), e.ToString()));
    }
}
