using PoFT.Experiment.WordNet;
using PoFT.Scorer.Benchmarks;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Tests.Support;
using PoFT.Text.Chat;
using PoFT.Text.Tokenizers;

namespace PoFT.Tests.Experiment;

/// <summary>The demo's multiple-choice task: each held-out question with its true gloss among other held-out glosses,
/// its context the question as the target's template renders it, readable by <c>eval</c>.</summary>
public sealed class WordNetChoicesTests(WordNetFixture wordNet) : IClassFixture<WordNetFixture>
{
    private static readonly ChatTemplateSpec Plain = new(ChatTemplateSpec.Plain);

    [Fact]
    public void Each_question_holds_its_true_gloss_among_glosses_of_other_test_words_and_eval_reads_the_file_back()
    {
        var test = WordNetTasks.Build(wordNet.Database, aligned: 30, train: 20, test: 40, seed: 3, pretrainDocuments: 10).Test;
        var tokenizer = TokenizerLoader.LoadFromModelDirectory(RepoPaths.Tokenizer("gpt2"));
        var questions = WordNetChoices.Build(test, m => GenerationPrompt.For(Plain, tokenizer, m).Text, seed: 1);

        var glosses = test.Select(s => s.Messages[^1].Content).ToHashSet();
        Assert.Equal(test.Select(s => s.Id), questions.Select(q => q.Id));
        foreach (var (sample, question) in test.Zip(questions))
        {
            Assert.Equal(WordNetChoices.Distractors + 1, question.Choices.Count);
            Assert.Equal(question.Choices.Count, question.Choices.Distinct().Count());
            Assert.Equal(sample.Messages[^1].Content, question.Choices[question.Gold]);
            Assert.All(question.Choices, c => Assert.Contains(c, glosses));
            // The context is the training render of the conversation up to its answer: context + answer + eos is the whole sample.
            Assert.Equal(ChatTemplates.Render(Plain, tokenizer, sample).Text, question.Context + question.Choices[question.Gold] + "<|endoftext|>");
            Assert.Equal("", question.TargetDelimiter);
        }
        // The gold position is spread over the four places, not always first.
        Assert.True(questions.Select(q => q.Gold).Distinct().Count() > 2);

        using var temp = new TempDirectory();
        var path = temp.File(WordNetChoices.FileName);
        WordNetChoices.Write(path, questions);
        var read = MultipleChoiceTask.Read(path);
        Assert.Equal(questions, read.Questions, (a, b) => a.Id == b.Id && a.Context == b.Context && a.Choices.SequenceEqual(b.Choices) && a.Gold == b.Gold
            && a.TargetDelimiter == b.TargetDelimiter);

        // Scored as the target saw its prompts: the template's leading <|endoftext|> is GPT-2's special token, not its characters.
        var tokens = ContinuationTokenization.For(tokenizer)(ContinuationTokenization.Sample("q", read.Questions[0].Context, read.Questions[0].Continuation(0)));
        Assert.Equal(tokenizer.Encode("<|endoftext|>").Ids.Single(), tokens.TokenIds[0]);
        Assert.Equal(WordNetChoices.Build(test, m => GenerationPrompt.For(Plain, tokenizer, m).Text, seed: 1).Select(q => q.Gold), questions.Select(q => q.Gold));
    }
}
