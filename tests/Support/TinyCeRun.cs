using System.Text.Json.Nodes;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;

namespace PoFT.Tests.Support;

/// <summary>The train config the process tests start <c>poft train</c> with: CE on <c>llama-b</c>, <c>steps</c> steps of 2
/// samples within one epoch of its data, no evaluation.</summary>
public static class TinyCeRun
{
    public static string Config(TempDirectory temp, AlignedModelsFixture models, string output, int steps, int checkpointEvery = 0)
    {
        var data = temp.File($"train-{steps}.jsonl");
        if (!File.Exists(data))
            SftDataWriter.WriteJsonLines(data, AlignedModelsFixture.MultiTurn(2 * steps, seed: 4));
        var path = temp.File($"train-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, new JsonObject
        {
            ["model"] = Path.Combine(models.Root, "llama-b"),
            ["template"] = new JsonObject { ["family"] = ChatTemplateSpec.Llama3 },
            ["max_length"] = 256,
            ["train_data"] = data,
            ["output"] = output,
            ["training"] = new JsonObject { ["objective"] = "ce", ["batch_size"] = 2, ["max_steps"] = steps, ["checkpoint_every"] = checkpointEvery, ["eval_every"] = 0 },
        }.ToJsonString());
        return path;
    }
}
