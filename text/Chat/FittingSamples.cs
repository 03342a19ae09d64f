using PoFT.Shared.Data;

namespace PoFT.Text.Chat;

/// <summary>
/// Under <c>--skip-bad</c>: the samples every given tokenization can fit, and the others skipped with their
/// <c>file:line</c> and why — a sample no truncation can fit (under <c>truncate-prompt</c>, a last response longer than
/// <c>max_length</c> leaves no room; under <c>error</c>, any sample over it). Each sample is tokenized once per
/// tokenization before the run, on all cores: the cost of the check, paid only when it is asked for.
/// </summary>
public static class FittingSamples
{
    /// <param name="tokenizations">Each model's tokenization, named for the reason.</param>
    public static (List<SftSample> Fitting, List<SkippedRecord> Skipped) Of(IReadOnlyList<SftSample> samples,
        IReadOnlyList<(string Name, Func<SftSample, TokenizedSample> Tokenize)> tokenizations)
    {
        var problems = new string?[samples.Count];
        Parallel.For(0, samples.Count, i =>
        {
            foreach (var (name, tokenize) in tokenizations)
            {
                try
                {
                    tokenize(samples[i]);
                }
                catch (InvalidSampleException e)
                {
                    problems[i] = $"{name}: {e.Message}";
                    return;
                }
            }
        });
        var (fitting, skipped) = (new List<SftSample>(), new List<SkippedRecord>());
        for (var i = 0; i < samples.Count; i++)
        {
            if (problems[i] is { } problem)
                skipped.Add(new SkippedRecord(samples[i].Location ?? samples[i].Id, problem));
            else
                fitting.Add(samples[i]);
        }
        return (fitting, skipped);
    }
}
