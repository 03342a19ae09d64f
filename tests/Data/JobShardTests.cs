using PoFT.Shared.Data;

namespace PoFT.Tests.Data;

/// <summary>Which shard <c>score</c> takes: <c>--shard</c>, else a Kubernetes Indexed Job's environment.</summary>
public class JobShardTests
{
    private static Func<string, string?> Environment(string? index, string? count) => name => name switch
    {
        JobShard.IndexVariable => index,
        JobShard.CountVariable => count,
        _ => null,
    };

    [Fact]
    public void The_job_index_and_count_give_the_shard()
    {
        Assert.Equal(new SampleShard(2, 4), JobShard.Resolve(null, Environment("2", "4")));
        Assert.Equal(new SampleShard(0, 1), JobShard.Resolve(null, Environment("0", "1")));
    }

    [Fact]
    public void Without_a_flag_or_a_job_every_sample_is_scored()
    {
        Assert.Equal(SampleShard.All, JobShard.Resolve(null, Environment(null, null)));
        Assert.Equal(SampleShard.All, JobShard.Resolve(null, Environment("", "")));
    }

    [Fact]
    public void The_flag_wins_over_the_job()
    {
        Assert.Equal(new SampleShard(1, 3), JobShard.Resolve("1/3", Environment("2", "4")));
        Assert.Equal(new SampleShard(1, 3), JobShard.Resolve("1/3", Environment("7", null)));
    }

    [Theory]
    [InlineData("2", null, "JOB_COMPLETION_INDEX is set (2) but POFT_SHARD_COUNT is not")]
    [InlineData(null, "4", "POFT_SHARD_COUNT is set (4) but JOB_COMPLETION_INDEX is not")]
    [InlineData("x", "4", "JOB_COMPLETION_INDEX 'x': expected a whole number ≥ 0")]
    [InlineData("-1", "4", "JOB_COMPLETION_INDEX '-1': expected a whole number ≥ 0")]
    [InlineData("1", "four", "POFT_SHARD_COUNT 'four': expected a whole number ≥ 1")]
    [InlineData("1", " 4", "POFT_SHARD_COUNT ' 4': expected a whole number ≥ 1")]
    [InlineData("1", "2.0", "POFT_SHARD_COUNT '2.0': expected a whole number ≥ 1")]
    [InlineData("0", "0", "POFT_SHARD_COUNT '0': expected a whole number ≥ 1")]
    [InlineData("1", "99999999999", "POFT_SHARD_COUNT '99999999999': expected a whole number ≥ 1")]
    [InlineData("4", "4", "JOB_COMPLETION_INDEX 4 is not below POFT_SHARD_COUNT 4")]
    public void A_half_set_or_malformed_job_is_an_error_naming_the_variable(string? index, string? count, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => JobShard.Resolve(null, Environment(index, count)));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_malformed_flag_is_an_error_even_inside_a_job() =>
        Assert.Contains("--shard '3/3'", Assert.Throws<ArgumentException>(() => JobShard.Resolve("3/3", Environment("0", "3"))).Message);
}
