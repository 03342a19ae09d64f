using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>Writes samples as the JSONL that <see cref="SftDataSet"/> reads (messages form), atomically.</summary>
public static class SftDataWriter
{
    public static void WriteJsonLines(string path, IEnumerable<SftSample> samples) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        foreach (var sample in samples)
        {
            var record = new JsonObject
            {
                ["id"] = sample.Id,
                ["messages"] = new JsonArray([.. sample.Messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]),
            };
            if (sample.IsNoise)
                record[SampleRecord.NoiseField] = true;
            writer.WriteLine(record.ToJsonString());
        }
    });
}
