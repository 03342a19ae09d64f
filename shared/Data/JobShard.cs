using System.Globalization;

namespace PoFT.Shared.Data;

/// <summary>
/// The shard a <c>score</c> process takes: <c>--shard i/N</c> when given, else a Kubernetes Indexed Job's
/// — the index from <see cref="IndexVariable"/>, which Kubernetes sets in every pod of the Job, and the count
/// from <see cref="CountVariable"/>, which it does not (the Job's manifest sets it equal to its
/// <c>completions</c>) — else every sample. Half a job's setting, or one that does not parse, is an error:
/// a pod that silently scored everything, or the wrong shard, would leave a set of shards that cannot merge.
/// </summary>
public static class JobShard
{
    public const string IndexVariable = "JOB_COMPLETION_INDEX";
    public const string CountVariable = "POFT_SHARD_COUNT";

    /// <param name="flag">The <c>--shard</c> value, or null when it was not given.</param>
    /// <param name="environment">Reads an environment variable; null (or empty, as <c>VAR=</c> leaves it) when unset.</param>
    public static SampleShard Resolve(string? flag, Func<string, string?> environment)
    {
        if (flag is not null)
            return SampleShard.Parse(flag);
        var (index, count) = (Variable(environment, IndexVariable), Variable(environment, CountVariable));
        return (index, count) switch
        {
            (null, null) => SampleShard.All,
            (_, null) => throw new ArgumentException($"{IndexVariable} is set ({index}) but {CountVariable} is not: set {CountVariable} " +
                "to the Job's completions (the number of shards), or pass --shard i/N"),
            (null, _) => throw new ArgumentException($"{CountVariable} is set ({count}) but {IndexVariable} is not: it is set by a Kubernetes " +
                "Indexed Job (completionMode: Indexed); elsewhere pass --shard i/N"),
            _ => Shard(Integer(IndexVariable, index, minimum: 0), Integer(CountVariable, count, minimum: 1)),
        };
    }

    private static SampleShard Shard(int index, int count) => index < count
        ? new SampleShard(index, count)
        : throw new ArgumentException($"{IndexVariable} {index} is not below {CountVariable} {count}: {CountVariable} must equal the Job's completions");

    private static string? Variable(Func<string, string?> environment, string name) =>
        environment(name) is { Length: > 0 } value ? value : null;

    // Digits only: a sign, spaces or an exponent is a mistyped manifest, not a number to guess at.
    private static int Integer(string name, string text, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"{name} '{text}': expected a whole number ≥ {minimum}");
}
