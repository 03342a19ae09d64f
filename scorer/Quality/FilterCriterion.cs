using PoFT.Shared.Scoring;

namespace PoFT.Scorer.Quality;

/// <summary>What a sample is ranked or thresholded by: r̄ (higher = better) or IFD (lower = better; the mean of the
/// models' IFDs, <see cref="ScoreRecordIfd.Combined"/>).</summary>
public enum FilterScore { Rbar, Ifd }

/// <summary>
/// Which samples <c>filter</c> keeps, one rule: the top <see cref="KeepTopPercent"/> % by <see cref="By"/> (⌈n·P/100⌉
/// samples, ties by file order — the rule of training's <c>keep_top</c>, trainer/Training/HardFilter.cs), or those
/// whose r̄ is above / IFD is below a threshold (strictly).
/// </summary>
public sealed record FilterCriterion(FilterScore By, double? KeepTopPercent = null, double? Above = null, double? Below = null)
{
    /// <summary>The one rule given, checked; names the flag at fault.</summary>
    public static FilterCriterion Of(double? keepTop, double? rbarAbove, double? ifdBelow, FilterScore by)
    {
        var given = new[] { keepTop, rbarAbove, ifdBelow }.Count(v => v is not null);
        if (given != 1)
            throw new ArgumentException($"filter takes exactly one of --keep-top, --rbar-above, --ifd-below ({given} given)");
        if (keepTop is { } p && !(p > 0 && p <= 100))
            throw new ArgumentException($"--keep-top must be a percentage in (0, 100], not {p}");
        foreach (var (flag, value) in new[] { ("--rbar-above", rbarAbove), ("--ifd-below", ifdBelow) })
            if (value is { } v && !double.IsFinite(v))
                throw new ArgumentException($"{flag} must be a finite number, not {v}");
        return keepTop is not null ? new FilterCriterion(by, KeepTopPercent: keepTop)
            : rbarAbove is not null ? new FilterCriterion(FilterScore.Rbar, Above: rbarAbove)
            : new FilterCriterion(FilterScore.Ifd, Below: ifdBelow);
    }

    /// <summary>The indexes kept of <paramref name="scores"/> (one record per sample, in file order).</summary>
    public IReadOnlySet<int> Keep(IReadOnlyList<ScoreRecord> scores)
    {
        var values = scores.Select(Value).ToArray();
        if (KeepTopPercent is { } percent)
        {
            var count = (int)Math.Ceiling(values.Length * percent / 100);
            var better = By == FilterScore.Rbar ? -1 : 1;
            return Enumerable.Range(0, values.Length).OrderBy(i => better * values[i]).ThenBy(i => i).Take(count).ToHashSet();
        }
        return Enumerable.Range(0, values.Length).Where(i => Above is { } a ? values[i] > a : values[i] < Below!.Value).ToHashSet();
    }

    /// <summary>How the provenance and the console state the rule.</summary>
    public override string ToString() => KeepTopPercent is { } p ? $"keep_top {p} % by {Name(By)}"
        : Above is { } a ? $"rbar > {a}" : $"ifd < {Below}";

    private double Value(ScoreRecord record) => By == FilterScore.Rbar ? record.Reference : ScoreRecordIfd.Combined(record);

    private static string Name(FilterScore score) => score == FilterScore.Rbar ? "rbar" : "ifd";
}
