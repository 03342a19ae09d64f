using PoFT.Shared.Data;

namespace PoFT.Scorer.Benchmarks;

/// <summary>
/// A question's outcome from its choices' log-likelihoods, as lm-eval-harness scores a multiple-choice task
/// (lm_eval/api/task.py, <c>process_results</c>, output type <c>multiple_choice</c>): <c>acc</c> — the argmax of the
/// summed log-probs is the gold choice; <c>acc_norm</c> — the argmax of the sums divided by each choice's length in
/// characters (<c>len(choice)</c>: Unicode code points); <c>acc_bytes</c> — divided by its UTF-8 byte length. The
/// lengths are of the choice without the target delimiter, as there. The first maximum wins a tie (numpy's argmax).
/// </summary>
public readonly record struct QuestionOutcome(bool Acc, bool AccNorm, bool AccBytes)
{
    public static QuestionOutcome Of(MultipleChoiceQuestion question, IReadOnlyList<double> logLikelihoods)
    {
        if (logLikelihoods.Count != question.Choices.Count)
            throw new ArgumentException($"question '{question.Id}': {logLikelihoods.Count} log-likelihoods for {question.Choices.Count} choices");
        int Argmax(Func<int, double> value) => Enumerable.Range(0, logLikelihoods.Count).Aggregate((best, i) => value(i) > value(best) ? i : best);
        return new(
            Argmax(i => logLikelihoods[i]) == question.Gold,
            Argmax(i => logLikelihoods[i] / question.Choices[i].EnumerateRunes().Count()) == question.Gold,
            Argmax(i => logLikelihoods[i] / System.Text.Encoding.UTF8.GetByteCount(question.Choices[i])) == question.Gold);
    }
}

/// <summary>A task's accuracies: the means over its questions, each metric's standard error (lm-eval-harness reports
/// the sample standard deviation over √n for <c>acc</c>), and the question count.</summary>
public sealed record TaskAccuracy(string Task, int Questions, double Acc, double AccNorm, double AccBytes, double AccStderr)
{
    public static TaskAccuracy Of(string task, IReadOnlyList<QuestionOutcome> outcomes)
    {
        if (outcomes.Count == 0)
            throw new ArgumentException($"task '{task}': no questions");
        double Mean(Func<QuestionOutcome, bool> hit) => outcomes.Average(o => hit(o) ? 1.0 : 0.0);
        var acc = Mean(o => o.Acc);
        var stderr = outcomes.Count < 2 ? 0 : Math.Sqrt(outcomes.Sum(o => Math.Pow((o.Acc ? 1 : 0) - acc, 2)) / (outcomes.Count - 1) / outcomes.Count);
        return new(task, outcomes.Count, acc, Mean(o => o.AccNorm), Mean(o => o.AccBytes), stderr);
    }
}
