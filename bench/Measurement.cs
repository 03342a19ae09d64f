namespace PoFT.Bench;

/// <summary>
/// How every figure is taken: <see cref="Warmup"/> unrecorded runs, then <see cref="Repeats"/> recorded
/// ones. A comparison alternates its two sides run by run in the same process, so drift (thermal, other
/// load, allocator state) falls on both sides alike instead of on whichever ran second.
/// </summary>
public sealed record Measurement(int Warmup, int Repeats)
{
    public async Task<Stats> RepeatAsync(Func<Task<double>> run)
    {
        for (var i = 0; i < Warmup; i++)
            await run();
        var values = new List<double>(Repeats);
        for (var i = 0; i < Repeats; i++)
            values.Add(await run());
        return Stats.From(values);
    }

    public Stats Repeat(Func<double> run) => RepeatAsync(() => Task.FromResult(run())).GetAwaiter().GetResult();

    /// <returns>Each side's repeats; side A runs first in every round.</returns>
    public async Task<(Stats A, Stats B)> InterleaveAsync(Func<Task<double>> a, Func<Task<double>> b)
    {
        for (var i = 0; i < Warmup; i++)
        {
            await a();
            await b();
        }
        var (valuesA, valuesB) = (new List<double>(Repeats), new List<double>(Repeats));
        for (var i = 0; i < Repeats; i++)
        {
            valuesA.Add(await a());
            valuesB.Add(await b());
        }
        return (Stats.From(valuesA), Stats.From(valuesB));
    }

    public (Stats A, Stats B) Interleave(Func<double> a, Func<double> b) =>
        InterleaveAsync(() => Task.FromResult(a()), () => Task.FromResult(b())).GetAwaiter().GetResult();

    /// <summary>Seconds one call of <paramref name="action"/> takes.</summary>
    public static double Seconds(Action action)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
