using PoFT.Shared.Data;
using PoFT.Shared.Scoring;
using PoFT.Shared.Training;
using PoFT.Tests.Support;
using PoFT.Text.Chat;
using PoFT.Trainer.Model;
using PoFT.Trainer.Objectives;
using PoFT.Trainer.Training;
using static TorchSharp.torch;

namespace PoFT.Tests.Trainer;

/// <summary><c>r_theta_scope: all</c> compares r̄ with the mean log-prob of every predicted token of a sample, as the
/// authors' released trainer does; <c>response</c> with the response tokens' only.</summary>
public class RThetaScopeTests
{
    private static readonly List<TokenizedSample> Tokenized =
    [
        new("a", [1, 5, 9, 13, 22, 40, 41, 3], [false, false, false, true, true, true, true, true]),
        new("b", [2, 7, 11, 30, 31], [false, false, true, true, true]),
    ];

    private static readonly double[] RBar = [-4.4, -4.1];

    [Fact]
    public void All_averages_prompt_and_response_tokens_and_differs_from_response_as_by_hand()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 29);
        var samples = Tokenized.Select(t => new SftSample(t.Id, [])).ToList();
        using var batch = new TrainingBatch(Tokenized, CPU, packed: true);
        var reference = RBar.Select((r, i) => new PreferenceScore(samples[i].Id, [], r)).ToList();
        var microBatch = new MicroBatch(samples, batch, model, reference);

        // By hand: each sample alone, in a row of its own, every next-token log-prob.
        var (all, response) = (new double[2], new double[2]);
        for (var i = 0; i < 2; i++)
        {
            var t = Tokenized[i];
            var ids = tensor(t.TokenIds.Select(x => (long)x).ToArray(), [1, t.TokenIds.Length]);
            var logProbs = model.TokenLogProbs(ids, ones_like(ids)).detach().data<float>().ToArray();
            all[i] = logProbs.Average(x => (double)x);
            response[i] = Enumerable.Range(1, t.TokenIds.Length - 1).Where(k => t.ResponseMask[k]).Average(k => (double)logProbs[k - 1]);
        }
        double Expected(double[] rTheta) => rTheta.Select((r, i) => Math.Log(1 + Math.Exp(-(r - RBar[i])))).Average();

        var allLoss = new Objective(ObjectiveKind.Poft, Scope: RThetaScope.All).Loss(microBatch, new StepTally()).Loss.item<float>();
        var responseLoss = new Objective(ObjectiveKind.Poft).Loss(microBatch, new StepTally()).Loss.item<float>();
        Assert.Equal(Expected(all), allLoss, 1e-5);
        Assert.Equal(Expected(response), responseLoss, 1e-5);
        Assert.True(Math.Abs(allLoss - responseLoss) > 1e-3, $"all {allLoss} and response {responseLoss} should differ");
    }

    [Fact]
    public void The_reported_CE_and_tau_follow_the_scope()
    {
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 29);
        var samples = Tokenized.Select(t => new SftSample(t.Id, [])).ToList();
        using var batch = new TrainingBatch(Tokenized, CPU, packed: false);
        var reference = RBar.Select((r, i) => new PreferenceScore(samples[i].Id, [], r)).ToList();
        var microBatch = new MicroBatch(samples, batch, model, reference);
        var (allTally, responseTally) = (new StepTally(), new StepTally());
        var (_, allCe) = new Objective(ObjectiveKind.Poft, Scope: RThetaScope.All).Loss(microBatch, allTally);
        var (_, responseCe) = new Objective(ObjectiveKind.Poft).Loss(microBatch, responseTally);
        // The step's CE is the response's either way; τ is the one the loss weighs with.
        Assert.Equal(responseCe, allCe, 1e-5);
        Assert.NotEqual(responseTally.Taus[0].Tau, allTally.Taus[0].Tau);
    }

    [Theory]
    [InlineData(ObjectiveKind.Ce)]
    [InlineData(ObjectiveKind.Dft)]
    [InlineData(ObjectiveKind.Dpo)]
    public void All_is_refused_where_no_r_bar_is_compared(ObjectiveKind kind)
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { Objective = kind, RThetaScope = RThetaScope.All }.Validate());
        Assert.Contains("training.r_theta_scope", error.Message);
        new TrainingOptions { Objective = ObjectiveKind.BiPoft, RThetaScope = RThetaScope.All }.Validate();
    }
}
