using PoFT.Experiment.Report;
using PoFT.Shared.Data;
using PoFT.Tests.Support;
using PoFT.Trainer.Training;

namespace PoFT.Tests.Experiment.Report;

public class AnswersSectionTests
{
    [Fact]
    public void A_runs_samples_file_gives_its_last_evaluations_answers()
    {
        using var temp = new TempDirectory();
        using (var log = SamplesLog.Open(temp.File(SamplesLog.FileName), keepThroughStep: null))
        {
            ChatMessage[] prompt = [new(ChatMessage.System, "Define."), new(ChatMessage.User, "dog")];
            log.Write([new SampleAnswer(0, "q1", prompt, "a canine", "early"), new SampleAnswer(0, "q2", prompt, "r2", "early")]);
            log.Write([new SampleAnswer(6, "q1", prompt, "a canine", "a domestic animal"), new SampleAnswer(6, "q2", prompt, null, "late")]);
        }
        var answers = AnswersSection.Read(temp.Path)!;
        Assert.Equal([new HeldOutAnswer("q1", "dog", "a canine", "a domestic animal"), new HeldOutAnswer("q2", "dog", null, "late")], answers);
        Assert.Null(AnswersSection.Read(temp.Sub("empty")));
    }

    [Fact]
    public void The_report_shows_each_objectives_answer_beside_the_reference_at_the_highest_noise()
    {
        var results = SyntheticExperiment.Make(poftWins: true);
        HeldOutAnswer[] Answers(string objective, double noise) =>
            [new("q1", "what is a dog", "a canine | pet", $"{objective} says {noise}"), new("q2", "what is a cat", "a feline", $"{objective} cat")];
        var runs = results.Runs.Select(r => r.Seed == 1 ? r with { Answers = Answers(r.Objective, r.Noise) } : r).ToList();
        var text = AnswersSection.Render(new ExperimentView(results with { Runs = runs }))!;
        Assert.Contains("## Answers at noise 0.4", text);
        var row = text.Split('\n').Single(l => l.StartsWith("| what is a dog", StringComparison.Ordinal));
        Assert.Equal(["what is a dog", "a canine \\| pet", .. SyntheticExperiment.Objectives.Select(o => $"{o} says 0.4")],
            row.Trim('|', ' ').Split(" | "));
        Assert.Null(AnswersSection.Render(new ExperimentView(SyntheticExperiment.Make(poftWins: true))));
    }
}
