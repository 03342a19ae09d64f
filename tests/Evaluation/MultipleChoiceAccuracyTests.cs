using PoFT.Scorer.Benchmarks;
using PoFT.Shared.Data;

namespace PoFT.Tests.Evaluation;

/// <summary>acc, acc_norm and acc_bytes from known log-likelihoods, worked out by hand.</summary>
public sealed class MultipleChoiceAccuracyTests
{
    private static MultipleChoiceQuestion Question(int gold, params string[] choices) => new("q", "Question:", choices, gold);

    [Fact]
    public void Acc_takes_the_largest_sum_and_acc_norm_the_largest_sum_per_character()
    {
        // Sums −2 and −4: acc picks "a"; per character −2/1 = −2 against −4/4 = −1: acc_norm picks "bbbb".
        var outcome = QuestionOutcome.Of(Question(1, "a", "bbbb"), [-2, -4]);
        Assert.Equal(new QuestionOutcome(Acc: false, AccNorm: true, AccBytes: true), outcome);
    }

    [Fact]
    public void Acc_norm_counts_characters_and_acc_bytes_UTF8_bytes()
    {
        // "é" is 1 character and 2 bytes, "ab" 2 and 2. Per character −1.5 against −1 picks "ab"; per byte −0.75
        // against −1 picks "é"; the sums −1.5 against −2 pick "é".
        var outcome = QuestionOutcome.Of(Question(0, "é", "ab"), [-1.5, -2]);
        Assert.Equal(new QuestionOutcome(Acc: true, AccNorm: false, AccBytes: true), outcome);
    }

    [Fact]
    public void A_tie_goes_to_the_first_choice_as_numpys_argmax()
    {
        Assert.True(QuestionOutcome.Of(Question(0, "x", "y"), [-1, -1]).Acc);
        Assert.False(QuestionOutcome.Of(Question(1, "x", "y"), [-1, -1]).Acc);
    }

    [Fact]
    public void A_tasks_accuracies_are_means_over_its_questions_with_acc_s_standard_error()
    {
        QuestionOutcome[] outcomes = [new(true, true, false), new(false, true, false), new(false, false, false), new(true, true, true)];
        var task = TaskAccuracy.Of("t", outcomes);
        Assert.Equal(4, task.Questions);
        Assert.Equal(0.5, task.Acc);
        Assert.Equal(0.75, task.AccNorm);
        Assert.Equal(0.25, task.AccBytes);
        // Sample variance of [1, 0, 0, 1] is 1/3; its standard error √(1/3 / 4).
        Assert.Equal(Math.Sqrt(1.0 / 12), task.AccStderr, 12);
    }
}
