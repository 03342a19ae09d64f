using Parquet.Serialization;
using PoFT.Checkpoints;
using PoFT.Shared.Scoring;

namespace PoFT.Fuzz;

/// <summary>
/// The seeds that are not text, written by the project's own writers (and Parquet.Net's) so they are real-shaped:
/// fuzz/corpus/TARGET/ keeps what this wrote. Each file carries the selector byte its target reads first.
/// </summary>
public static class BinarySeeds
{
    public static void Write(string corpus)
    {
        WriteSafetensors(Path.Combine(corpus, "safetensors"));
        WriteScores(Path.Combine(corpus, "score"));
        WriteParquet(Path.Combine(corpus, "data"));
    }

    private static void WriteSafetensors(string directory)
    {
        Directory.CreateDirectory(directory);
        var floats = new byte[2 * 3 * sizeof(float)];
        BitConverter.TryWriteBytes(floats.AsSpan(4), 1.5f);
        SafetensorsWriter.Write(Path.Combine(directory, "two-tensors.safetensors"),
        [
            new TensorData("model.embed_tokens.weight", SafetensorsDType.F32, [2, 3], floats),
            new TensorData("model.norm.weight", SafetensorsDType.BF16, [4], new byte[8]),
        ], new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static void WriteScores(string directory)
    {
        Directory.CreateDirectory(directory);
        ScoreRecord[] records =
        [
            new("s1", -1.25, [new("base", -12.5, 10, -1.25), new("chat", -10.0, 10, -1.0)]),
            new("s2/chosen", -0.5, [new("base", -2.0, 4, -0.5), new("chat", -1.0, 4, -0.25)]),
        ];
        File.WriteAllBytes(Path.Combine(directory, "two.msgpack"), [1, .. records.SelectMany(r => ScoreFile.Encode(r, messagePack: true))]);
    }

    private static void WriteParquet(string directory)
    {
        Directory.CreateDirectory(directory);
        WithSelector(Path.Combine(directory, "conversations.parquet"), 2, stream => ParquetSerializer.SerializeAsync(new[]
        {
            new ConversationRow { id = "c1", messages = [new() { role = "user", content = "Hi" }, new() { role = "assistant", content = "Hello!" }] },
        }, stream));
        WithSelector(Path.Combine(directory, "pairs.parquet"), 2, stream => ParquetSerializer.SerializeAsync(new[]
        {
            new PairRow { id = "p1", prompt = "2+2?", chosen = "4", rejected = "5" },
        }, stream));
    }

    private static void WithSelector(string path, byte selector, Func<Stream, Task> write)
    {
        // Parquet's offsets count from the start of the stream, so the file is written whole before the byte goes in front.
        using var parquet = new MemoryStream();
        write(parquet).GetAwaiter().GetResult();
        File.WriteAllBytes(path, [selector, .. parquet.ToArray()]);
    }

    // Parquet.Net maps these properties to columns by name, so they are spelt as the data files' fields.
#pragma warning disable IDE1006
    private sealed class Message
    {
        public string? role { get; set; }
        public string? content { get; set; }
    }

    private sealed class ConversationRow
    {
        public string? id { get; set; }
        public List<Message>? messages { get; set; }
    }

    private sealed class PairRow
    {
        public string? id { get; set; }
        public string? prompt { get; set; }
        public string? chosen { get; set; }
        public string? rejected { get; set; }
    }
#pragma warning restore IDE1006
}
