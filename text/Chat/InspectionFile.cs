using PoFT.Shared;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PoFT.Text.Chat;

/// <summary>One sample as one model scores it, as <c>inspect --jsonl</c> writes it: the rendered text, the
/// token ids and which of them count in the score.</summary>
public sealed record InspectionRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("input_ids")] int[] InputIds,
    [property: JsonPropertyName("response_mask")] bool[] ResponseMask)
{
    public static InspectionRecord Of(string model, InspectedSample sample) =>
        new(sample.Tokenized.Id, model, sample.Text, sample.Tokenized.TokenIds, sample.Tokenized.ResponseMask);
}

/// <summary>Writes inspection records, one JSON object per line, to a file that appears only once complete.</summary>
public static class InspectionFile
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(string path, IEnumerable<InspectionRecord> records) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            foreach (var record in records)
                writer.WriteLine(JsonSerializer.Serialize(record, Json));
        });
}
