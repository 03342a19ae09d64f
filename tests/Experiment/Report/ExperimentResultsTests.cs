using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Experiment.Report;
using PoFT.Tests.Support;

namespace PoFT.Tests.Experiment.Report;

public class ExperimentResultsTests
{
    [Fact]
    public void Results_survive_a_save_and_load()
    {
        using var temp = new TempDirectory();
        var path = temp.File(ExperimentResults.FileName);
        var results = SyntheticExperiment.Make(poftWins: true) with { Notes = "line one\n\n*line two*" };
        results.Save(path);
        var loaded = ExperimentResults.Load(path);

        Assert.Equal(JsonSerializer.Serialize(results, ExperimentResults.Json), JsonSerializer.Serialize(loaded, ExperimentResults.Json));
        Assert.Equal(results.Command, loaded.Command);
        Assert.Equal(results.Notes, loaded.Notes);
        Assert.Equal(results.Runs.Count, loaded.Runs.Count);
        var run = results.Runs[7];
        Assert.Equal(run.Epochs, loaded.Runs[7].Epochs);
        Assert.Equal(results.ReferenceScores[^1].NoiseScores, loaded.ReferenceScores[^1].NoiseScores);
        Assert.Equal(results.Stages, loaded.Stages);
    }

    [Fact]
    public void Dpo_results_survive_a_save_and_load()
    {
        using var temp = new TempDirectory();
        var path = temp.File(ExperimentResults.FileName);
        var results = SyntheticExperiment.WithDpo(SyntheticExperiment.Make(poftWins: true), poftMoreAccurate: true, poftLowerCe: false);
        results.Save(path);
        var loaded = ExperimentResults.Load(path);

        Assert.NotNull(loaded.Dpo);
        Assert.Equal(results.Dpo, loaded.Dpo);
        Assert.Contains("\"dpo\": [", File.ReadAllText(path));
    }

    [Fact]
    public void A_file_without_dpo_loads_with_dpo_null()
    {
        using var temp = new TempDirectory();
        var path = temp.File(ExperimentResults.FileName);
        var withDpo = SyntheticExperiment.WithDpo(SyntheticExperiment.Make(poftWins: true), poftMoreAccurate: true, poftLowerCe: true);
        // As a results file written before the DPO stage existed: no "dpo" key at all.
        var json = JsonNode.Parse(JsonSerializer.Serialize(withDpo, ExperimentResults.Json))!.AsObject();
        Assert.True(json.Remove("dpo"));
        File.WriteAllText(path, json.ToJsonString());

        var loaded = ExperimentResults.Load(path);
        Assert.Null(loaded.Dpo);
        Assert.Equal(withDpo.Runs.Count, loaded.Runs.Count);
    }

    [Fact]
    public void Non_finite_numbers_survive_a_save_and_load()
    {
        using var temp = new TempDirectory();
        var path = temp.File(ExperimentResults.FileName);
        var results = SyntheticExperiment.Make(poftWins: true);
        var diverged = results.Runs[0] with { Epochs = [new EpochResult(0, 2.0, null, null), new EpochResult(1, double.NaN, 0.5, double.PositiveInfinity)] };
        (results with { Runs = [diverged] }).Save(path);
        var epoch = ExperimentResults.Load(path).Runs[0].Epochs[1];
        Assert.True(double.IsNaN(epoch.HeldOutCe));
        Assert.Equal(double.PositiveInfinity, epoch.TauNoise);
    }

    [Theory]
    [InlineData("{\"command\": ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("null")]
    public void A_malformed_file_is_a_format_error_naming_it(string json)
    {
        using var temp = new TempDirectory();
        var path = temp.File(ExperimentResults.FileName);
        File.WriteAllText(path, json);
        var error = Assert.Throws<FormatException>(() => ExperimentResults.Load(path));
        Assert.Contains(path, error.Message);
    }
}
