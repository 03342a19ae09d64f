using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>Writes samples as the JSONL that <see cref="SftDataSet"/> reads (messages form, context turns with weight 0), atomically.</summary>
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
                ["messages"] = new JsonArray([.. sample.Messages.Select((m, i) => (JsonNode)Message(m, sample.ContextTurns?.Contains(i) == true))]),
            };
            if (sample.IsNoise)
                record[SampleRecord.NoiseField] = true;
            if (sample.Weight != 1)
                record[RecordFields.WeightField] = sample.Weight;
            writer.WriteLine(record.ToJsonString());
        }
    });

    /// <summary>A message; a context turn with <c>"weight": 0</c>, as the reader takes it back.</summary>
    private static JsonObject Message(ChatMessage message, bool context)
    {
        var o = new JsonObject { ["role"] = message.Role, ["content"] = message.Content };
        if (context)
            o["weight"] = 0;
        return o;
    }
}
