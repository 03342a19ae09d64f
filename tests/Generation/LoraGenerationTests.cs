using PoFT.Generation;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;

namespace PoFT.Tests.Generation;

public class LoraGenerationTests
{
    [Fact]
    public async Task An_adapter_on_its_base_generates_what_the_merged_checkpoint_generates()
    {
        using var temp = new TempDirectory();
        var runs = new LoraRuns(temp);
        var summary = await runs.Train(temp.File("run"), LoraRuns.Options with { MaxSteps = 3 });
        LoraMerge.Merge(summary.CheckpointDirectory, temp.File("merged"));
        using var adapter = ModelCheckpoint.Load(summary.CheckpointDirectory, Placement.Cpu);
        using var merged = ModelCheckpoint.Load(temp.File("merged"), Placement.Cpu);
        using var basis = ModelCheckpoint.Load(runs.Base, Placement.Cpu);
        Assert.NotNull(adapter.Lora);
        int[] prompt = [3, 14, 15, 92, 65];
        var never = new StopRule([], null, ids => string.Join(" ", ids));
        var options = new SamplingOptions(Temperature: 1.0, Seed: 4, MaxNewTokens: 16);
        var fromAdapter = new TokenGenerator(adapter).Generate(prompt, options, never).Tokens;
        Assert.Equal(new TokenGenerator(merged).Generate(prompt, options, never).Tokens, fromAdapter);
        Assert.Equal(new TokenGenerator(merged).Generate(prompt, SamplingOptions.Greedy(16), never).Tokens,
            new TokenGenerator(adapter).Generate(prompt, SamplingOptions.Greedy(16), never).Tokens);
        // The adapter changed what the model says: the base alone draws otherwise.
        Assert.NotEqual(new TokenGenerator(basis).Generate(prompt, options, never).Tokens, fromAdapter);
    }
}
