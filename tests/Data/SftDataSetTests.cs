using Parquet.Serialization;
using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Data;

public class SftDataSetTests
{
    private static string Write(TempDirectory temp, params string[] lines)
    {
        var path = temp.File("data.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Reads_messages_and_prompt_response_records()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"id": "a", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Goodbye."}]}""",
            "",
            """{"prompt_id": 7, "prompt": "What is 2+2?", "response": "4", "system": "Math tutor", "is_noise": true}""");
        var data = SftDataSet.Read(path);
        Assert.Equal(["a", "7"], data.Samples.Select(s => s.Id));
        Assert.Equal(5, data.Samples[0].Messages.Count);
        Assert.Equal(["system", "user", "assistant"], data.Samples[1].Messages.Select(m => m.Role));
        Assert.Equal("4", data.Samples[1].Messages[2].Content);
        Assert.True(data.Samples[1].IsNoise);
        Assert.False(data.Samples[0].IsNoise);
    }

    [Fact]
    public void Ids_derived_from_content_are_stable_and_distinct()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"prompt": "p1", "response": "r1"}""",
            """{"prompt": "p2", "response": "r1"}""");
        var first = SftDataSet.Read(path).Samples;
        var again = SftDataSet.Read(path).Samples;
        Assert.Equal(first.Select(s => s.Id), again.Select(s => s.Id));
        Assert.NotEqual(first[0].Id, first[1].Id);
        Assert.Matches("^[0-9a-f]{16}$", first[0].Id);
    }

    [Theory]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}""", ":1: malformed JSON")]
    [InlineData("""{"prompt": "x"}""", "missing field 'response'")]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "  "}]}""", "messages[1]: empty assistant response")]
    [InlineData("""{"messages": [{"role": "user", "content": "x"}]}""", "no assistant message")]
    [InlineData("""{"messages": [{"role": "robot", "content": "x"}]}""", "messages[0].role 'robot'")]
    [InlineData("""{"text": "x"}""", "fits no SFT layout: the record has fields 'text'")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    public void A_bad_line_stops_the_read_with_its_location(string line, string expected)
    {
        using var temp = new TempDirectory();
        var path = Write(temp, line);
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.StartsWith($"{path}:1", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Duplicate_ids_are_an_error_naming_both_lines()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"id": "x", "prompt": "a", "response": "b"}""",
            """{"id": "y", "prompt": "a", "response": "b"}""",
            """{"id": "x", "prompt": "c", "response": "d"}""");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Contains($"{path}:3", error.Message);
        Assert.Contains($"first at {path}:1", error.Message);
    }

    [Fact]
    public void Skip_bad_skips_counts_and_lists_the_bad_records()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"prompt": "a", "response": "b"}""",
            """not json""",
            """{"prompt": "c", "response": ""}""",
            """{"prompt": "e", "response": "f"}""");
        var data = SftDataSet.Read(path, skipBad: true);
        Assert.Equal(2, data.Samples.Count);
        Assert.Equal([$"{path}:2", $"{path}:3"], data.Skipped.Select(s => s.Location));
    }

    [Fact]
    public void A_duplicate_field_is_a_bad_record_at_its_line_and_skip_bad_skips_it()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"prompt": "a", "response": "b"}""",
            """{"prompt": "first", "response": "r", "prompt": "second"}""",
            """{"messages": [{"role": "user", "content": "x", "role": "assistant"}, {"role": "assistant", "content": "y"}]}""");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Equal($"{path}:2", error.Location);
        Assert.Contains("'prompt'", error.Reason);

        var data = SftDataSet.Read(path, skipBad: true);
        Assert.Equal(["a"], data.Samples.Select(s => s.Messages[0].Content));
        Assert.Equal([$"{path}:2", $"{path}:3"], data.Skipped.Select(s => s.Location));
        Assert.Contains("'role'", data.Skipped[1].Reason);
    }

    [Fact]
    public void Invalid_utf8_is_a_bad_record_at_its_line_not_replaced_text()
    {
        using var temp = new TempDirectory();
        var path = temp.File("data.jsonl");
        var good = "{\"prompt\": \"caf\u00e9\", \"response\": \"ok\"}\n"u8.ToArray();
        // "caf" then 0xE9 alone: Latin-1 'é', not UTF-8; a decoder that replaces it would score "caf\uFFFD".
        byte[] bad = [.. "{\"prompt\": \"caf"u8, 0xE9, .. "\", \"response\": \"ok\"}\n"u8];
        File.WriteAllBytes(path, [.. good, .. bad, .. good.Select(b => b == (byte)'k' ? (byte)'K' : b)]);

        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Equal($"{path}:2", error.Location);
        Assert.Contains("UTF-8", error.Reason);
        Assert.Contains($"byte {Array.IndexOf(bad, (byte)0xE9) + 1}", error.Reason);

        var data = SftDataSet.Read(path, skipBad: true);
        Assert.Equal(["caf\u00e9", "caf\u00e9"], data.Samples.Select(s => s.Messages[0].Content));
        Assert.Equal([$"{path}:2"], data.Skipped.Select(s => s.Location));
    }

    [Fact]
    public void A_byte_order_mark_and_crlf_line_ends_are_read_as_text_files_are()
    {
        using var temp = new TempDirectory();
        var path = temp.File("data.jsonl");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "{\"prompt\": \"a\", \"response\": \"b\"}\r\n\r\n{\"prompt\": \"c\", \"response\": \"d\"}"u8]);
        var data = SftDataSet.Read(path);
        Assert.Equal(["b", "d"], data.Samples.Select(s => s.Messages[1].Content));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n   \r\n\n")]
    public void A_file_without_samples_is_an_error_naming_it(string content)
    {
        using var temp = new TempDirectory();
        var path = temp.File("data.jsonl");
        File.WriteAllText(path, content);
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Equal(path, error.Location);
        Assert.Contains("no samples", error.Reason);
    }

    [Fact]
    public void A_file_whose_every_record_is_skipped_is_an_error_naming_it_and_the_first_bad_record()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "not json", """{"prompt": "x"}""");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path, skipBad: true));
        Assert.Equal(path, error.Location);
        Assert.Contains("2 bad records", error.Reason);
        Assert.Contains($"{path}:1", error.Reason);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        var error = Assert.Throws<FileNotFoundException>(() => SftDataSet.Read("/nonexistent/data.jsonl"));
        Assert.Contains("/nonexistent/data.jsonl", error.Message);
    }

    public sealed class MessageRow
    {
        public string? role { get; set; }
        public string? content { get; set; }
    }

    public sealed class ConversationRow
    {
        public string? id { get; set; }
        public List<MessageRow>? messages { get; set; }
    }

    public sealed class PairRow
    {
        public string? prompt { get; set; }
        public string? response { get; set; }
    }

    [Fact]
    public async Task Parquet_files_with_the_same_columns_read_the_same()
    {
        using var temp = new TempDirectory();
        var conversations = temp.File("chat.parquet");
        await ParquetSerializer.SerializeAsync(new[]
        {
            new ConversationRow { id = "c1", messages = [new() { role = "user", content = "Hi" }, new() { role = "assistant", content = "Hello!" }] },
            new ConversationRow { id = "c2", messages = [new() { role = "user", content = "2+2?" }, new() { role = "assistant", content = "4" }] },
        }, conversations);
        var pairs = temp.File("pairs.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new PairRow { prompt = "Hi", response = "" } }, pairs);

        var data = SftDataSet.Read(conversations);
        Assert.Equal(["c1", "c2"], data.Samples.Select(s => s.Id));
        Assert.Equal("Hello!", data.Samples[0].Messages[1].Content);
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(pairs));
        Assert.Contains($"{pairs}:row 1", error.Message);
        Assert.Contains("empty assistant response", error.Message);
    }
}
