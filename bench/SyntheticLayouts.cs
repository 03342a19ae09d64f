using System.Text;
using System.Text.Json;

namespace PoFT.Bench;

/// <summary>
/// Synthetic SFT and preference files in each layout the data reader takes (docs/data.md), UltraChat-sized: a
/// conversation of three exchanges, ~2.3 KB of text in all (UltraChat-200k's 463 MB over 200,000 samples), words
/// drawn from a fixed vocabulary by a seeded generator. Single-turn layouts (Alpaca, Dolly) put the same amount of
/// text in their one exchange. Written one record at a time, so writing 1M samples holds one.
/// </summary>
public static class SyntheticLayouts
{
    /// <summary>Each layout's name, file extension and whether its file is preference data.</summary>
    public static readonly IReadOnlyList<(string Layout, string Extension, bool Preference)> All =
    [
        ("messages", ".jsonl", false), ("sharegpt", ".jsonl", false), ("alpaca", ".json", false), ("dolly", ".jsonl", false), ("hh", ".jsonl", true),
    ];

    private static readonly string[] Words =
    [
        "the", "model", "data", "answer", "question", "because", "which", "under", "river", "light", "system", "value", "small",
        "between", "history", "energy", "simple", "people", "example", "result", "water", "number", "change", "common", "during",
    ];

    public static void Write(string layout, int samples, string path, int seed = 1)
    {
        var random = new Random(seed);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new Utf8JsonWriter(stream);
        var array = layout == "alpaca";
        // The array's brackets are written as bytes: the writer is reset after each record, forgetting it is in one.
        if (array)
            stream.Write("[\n"u8);
        for (var i = 0; i < samples; i++)
        {
            var turns = Enumerable.Range(0, 3).Select(_ => (User: Text(random, 200), Assistant: Text(random, 560))).ToList();
            Record(writer, layout, i, turns);
            writer.Flush();
            if (array && i + 1 < samples)
                stream.WriteByte((byte)',');
            stream.WriteByte((byte)'\n');
            writer.Reset();
        }
        if (array)
            stream.Write("]\n"u8);
    }

    private static void Record(Utf8JsonWriter w, string layout, int i, List<(string User, string Assistant)> turns)
    {
        w.WriteStartObject();
        switch (layout)
        {
            case "messages":
                w.WriteString("id", $"s{i}");
                w.WriteStartArray("messages");
                foreach (var (user, assistant) in turns)
                {
                    Turn(w, "role", "user", "content", user);
                    Turn(w, "role", "assistant", "content", assistant);
                }
                w.WriteEndArray();
                break;
            case "sharegpt":
                w.WriteString("id", $"s{i}");
                w.WriteStartArray("conversations");
                foreach (var (user, assistant) in turns)
                {
                    Turn(w, "from", "human", "value", user, weight: true);
                    Turn(w, "from", "gpt", "value", assistant, weight: true);
                }
                w.WriteEndArray();
                break;
            case "alpaca":
                w.WriteString("instruction", turns[0].User + " " + turns[1].User);
                w.WriteString("input", turns[2].User);
                w.WriteString("output", string.Join(" ", turns.Select(t => t.Assistant)));
                break;
            case "dolly":
                w.WriteString("instruction", turns[0].User + " " + turns[1].User);
                w.WriteString("context", turns[2].User);
                w.WriteString("response", string.Join(" ", turns.Select(t => t.Assistant)));
                w.WriteString("category", "open_qa");
                break;
            case "hh":
                var shared = string.Concat(turns.Take(2).Select(t => $"\n\nHuman: {t.User}\n\nAssistant: {t.Assistant}")) + $"\n\nHuman: {turns[2].User}\n\nAssistant: ";
                w.WriteString("chosen", shared + turns[2].Assistant);
                w.WriteString("rejected", shared + turns[0].Assistant);
                break;
            default:
                throw new ArgumentException($"unknown layout '{layout}'");
        }
        w.WriteEndObject();
    }

    private static void Turn(Utf8JsonWriter w, string roleKey, string role, string contentKey, string content, bool weight = false)
    {
        w.WriteStartObject();
        w.WriteString(roleKey, role);
        w.WriteString(contentKey, content);
        if (weight)
            w.WriteNull("weight");
        w.WriteEndObject();
    }

    private static string Text(Random random, int characters)
    {
        var text = new StringBuilder(characters + 16);
        while (text.Length < characters)
            text.Append(Words[random.Next(Words.Length)]).Append(' ');
        return text.ToString(0, characters);
    }
}
