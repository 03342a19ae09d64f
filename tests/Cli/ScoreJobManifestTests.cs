using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PoFT.Cli.Commands;
using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Cli;

/// <summary>
/// deploy/: the Indexed Job that scores shards on Kubernetes, and the image it runs. Neither can run here
/// (no cluster, no Docker), so the Job is held to the code it calls: its shard count, its <c>score</c> command
/// line as the CLI parses it, and its volumes. The repository has no YAML library; the file keeps its args as
/// a flow sequence (JSON) and the rest is read line by line.
/// </summary>
public sealed class ScoreJobManifestTests
{
    private static readonly string Job = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "score-job.yaml"));

    private static string Field(string pattern) =>
        Regex.Match(Job, pattern, RegexOptions.Multiline) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException($"score-job.yaml: no match for {pattern}");

    private static List<string> Args()
    {
        var start = Job.IndexOf("args: [", StringComparison.Ordinal) + "args: ".Length;
        return [.. JsonNode.Parse(Job[start..(Job.IndexOf(']', start) + 1)])!.AsArray().Select(a => a!.GetValue<string>())];
    }

    [Fact]
    public void The_job_is_indexed_with_one_gpu_a_pod_and_its_shard_count_equal_to_its_completions()
    {
        Assert.Equal("Indexed", Field(@"^\s+completionMode:\s*(\S+)\s*$"));
        var completions = int.Parse(Field(@"^\s+completions:\s*(\d+)\s*$"));
        Assert.InRange(int.Parse(Field(@"^\s+parallelism:\s*(\d+)\s*$")), 1, completions);
        var count = Field($@"name:\s*{JobShard.CountVariable}\s*\n\s*value:\s*""(\d+)""");
        Assert.Equal(completions, int.Parse(count));
        Assert.Equal(new SampleShard(completions - 1, completions), JobShard.Resolve(null, name => name switch
        {
            JobShard.IndexVariable => $"{completions - 1}",
            JobShard.CountVariable => count,
            _ => null,
        }));
        Assert.Equal(2, Regex.Matches(Job, @"^\s+nvidia\.com/gpu:\s*1\s*$", RegexOptions.Multiline).Count);
    }

    [Fact]
    public void The_job_runs_score_with_flags_the_cli_takes_each_pod_writing_its_own_file_on_a_mounted_volume()
    {
        var args = Args();
        var score = ScoreCommand.Create();
        Assert.Equal(score.Name, args[0]);
        var parsed = score.Parse(args[1..]);
        Assert.True(parsed.Errors.Count == 0, string.Join("; ", parsed.Errors.Select(e => e.Message)));
        Assert.Null(parsed.GetValue<string?>("--shard"));
        var output = args[args.IndexOf("--out") + 1];
        Assert.Contains($"$({JobShard.IndexVariable})", output);
        var mounts = Regex.Matches(Job, @"^\s+mountPath:\s*(\S+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value + "/").ToList();
        foreach (var path in new[] { "--manifest", "--data", "--out" }.Select(flag => args[args.IndexOf(flag) + 1]))
            Assert.Contains(mounts, mount => path.StartsWith(mount, StringComparison.Ordinal));
    }

    [Fact]
    public void The_image_publishes_the_cli_with_the_repositorys_gpu_switch_and_runs_it()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "Dockerfile"));
        var project = Regex.Match(dockerfile, @"dotnet publish (\S+\.csproj) .*-p:(\w+)=").Groups;
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, project[1].Value)), $"{project[1].Value} not found");
        Assert.Contains("<AssemblyName>poft</AssemblyName>", File.ReadAllText(Path.Combine(RepoPaths.Root, project[1].Value)));
        Assert.Contains($"'$({project[2].Value})' == 'true'", File.ReadAllText(Path.Combine(RepoPaths.Root, "scorer", "PoFT.Scorer.csproj")));
        Assert.Contains("""ENTRYPOINT ["dotnet", "/app/poft.dll"]""", dockerfile);
    }
}
