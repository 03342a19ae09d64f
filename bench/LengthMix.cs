namespace PoFT.Bench;

/// <summary>
/// Sample lengths in tokens as SFT chat data has them: log-normal (many short exchanges, a long tail),
/// cut at <paramref name="MaxLength"/>. The spread (σ = 0.8) puts the 90th percentile near 2.8 × the median.
/// </summary>
public sealed record LengthMix(int MedianLength, int MaxLength)
{
    private const double Sigma = 0.8;
    private const int MinLength = 8;

    public int[] Draw(int count, Random random) => [.. Enumerable.Range(0, count).Select(_ =>
    {
        // Box–Muller: one standard normal from two uniforms.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (int)Math.Clamp(Math.Round(MedianLength * Math.Exp(Sigma * normal)), MinLength, MaxLength);
    })];
}
