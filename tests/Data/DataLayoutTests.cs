using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Data;

/// <summary>
/// Each published layout, as a small file written by hand to its card's field names (tests/Data/Layouts/), reads into
/// the same samples as its twin in the <c>messages</c> layout (or, for HH, the whole-conversations layout):
/// <list type="bullet">
/// <item>ShareGPT (anon8231489123/ShareGPT_Vicuna_unfiltered): <c>id</c>, <c>conversations</c> [{<c>from</c>: human | gpt, <c>value</c>}];</item>
/// <item>OpenHermes-2.5 (teknium/OpenHermes-2.5): <c>conversations</c> [{<c>from</c>: system | human | gpt, <c>value</c>, <c>weight</c>: null}],
/// and <c>source</c>, <c>category</c>, <c>id</c> (null), … not read;</item>
/// <item>Alpaca (tatsu-lab/alpaca, alpaca_data.json): one JSON array of {<c>instruction</c>, <c>input</c>, <c>output</c>};</item>
/// <item>Dolly (databricks/databricks-dolly-15k): <c>instruction</c>, <c>context</c>, <c>response</c>, <c>category</c>;</item>
/// <item>HH (Anthropic/hh-rlhf): <c>chosen</c>, <c>rejected</c>, each "\n\nHuman: …\n\nAssistant: …";</item>
/// <item>UltraChat-200k (HuggingFaceH4/ultrachat_200k): <c>prompt</c>, <c>prompt_id</c>, <c>messages</c> [{<c>content</c>, <c>role</c>}].</item>
/// </list>
/// </summary>
public class DataLayoutTests
{
    private static string Layouts(string name) => Path.Combine(RepoPaths.Root, "tests", "Data", "Layouts", name);

    private static string Write(TempDirectory temp, string name, params string[] lines)
    {
        var path = temp.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Theory]
    [InlineData("sharegpt.jsonl", "sharegpt.messages.jsonl", "sharegpt")]
    [InlineData("openhermes.jsonl", "openhermes.messages.jsonl", "sharegpt")]
    [InlineData("alpaca.json", "alpaca.messages.jsonl", "alpaca")]
    [InlineData("dolly.jsonl", "dolly.messages.jsonl", "dolly")]
    public void Each_layout_reads_into_the_samples_of_its_messages_twin(string file, string twin, string layout)
    {
        var data = SftDataSet.Read(Layouts(file));
        var expected = SftDataSet.Read(Layouts(twin));
        Assert.StartsWith($"{layout} (detected from {Layouts(file)}:", data.Layout);
        Assert.StartsWith("messages (detected", expected.Layout);
        Assert.Equal(expected.Samples.Count, data.Samples.Count);
        for (var i = 0; i < data.Samples.Count; i++)
        {
            Assert.Equal(expected.Samples[i].Messages, data.Samples[i].Messages);
            Assert.Equal(expected.Samples[i].Id, data.Samples[i].Id);
            Assert.Null(data.Samples[i].ContextTurns);
        }
        // Named rather than detected, the same.
        Assert.Equal(data.Samples.Select(s => s.Id), SftDataSet.Read(Layouts(file), format: new DataFormat(layout)).Samples.Select(s => s.Id));
    }

    [Fact]
    public void Ultrachat_records_are_read_by_their_messages_not_their_prompt()
    {
        var sample = Assert.Single(SftDataSet.Read(Layouts("ultrachat.jsonl")).Samples);
        Assert.Equal("5a1b0b7f2c", sample.Id);
        Assert.Equal(["user", "assistant", "user", "assistant"], sample.Messages.Select(m => m.Role));
    }

    [Fact]
    public void Hh_transcripts_split_into_turns_and_share_their_leading_turns_as_the_prompt()
    {
        var data = PreferenceDataSet.Read(Layouts("hh.jsonl"));
        var twin = PreferenceDataSet.Read(Layouts("hh.conversations.jsonl"));
        Assert.StartsWith("hh (detected from", data.Layout);
        Assert.Equal(twin.Pairs.Select(p => p.Id), data.Pairs.Select(p => p.Id));
        for (var i = 0; i < data.Pairs.Count; i++)
        {
            Assert.Equal(twin.Pairs[i].Chosen.Messages, data.Pairs[i].Chosen.Messages);
            Assert.Equal(twin.Pairs[i].Rejected.Messages, data.Pairs[i].Rejected.Messages);
            Assert.Equal(twin.Pairs[i].Chosen.ScoredFrom, data.Pairs[i].Chosen.ScoredFrom);
        }
        // The two-exchange dialogue: its first exchange and the second question are prompt, only the last answers differ.
        Assert.Equal(3, data.Pairs[1].Chosen.ScoredFrom);
        Assert.Equal("Ten minutes.", data.Pairs[1].Rejected.Messages[^1].Content);
        Assert.Equal(4, SampleData.Read(Layouts("hh.jsonl")).Samples.Count);
    }

    [Fact]
    public void A_record_that_fits_no_layout_lists_the_layouts_tried_and_what_each_needs()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "data.jsonl", """{"question": "q", "answer": "a"}""");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Equal($"{path}:1", error.Location);
        Assert.Contains("fits no SFT layout: the record has fields 'question', 'answer'", error.Reason);
        foreach (var needs in new[] { "messages (needs 'messages'", "sharegpt (needs 'conversations', a list of {\"from\", \"value\"}",
            "prompt-response (needs 'prompt' and 'response'", "alpaca (needs 'instruction' and 'output'", "dolly (needs 'instruction' and 'response'" })
            Assert.Contains(needs, error.Reason);
        Assert.Contains("data_columns", error.Reason);

        var named = Assert.Throws<DataFormatException>(() => SftDataSet.Read(Layouts("dolly.jsonl"), format: new DataFormat("alpaca")));
        Assert.Equal($"{Layouts("dolly.jsonl")}:1", named.Location);
        Assert.Contains("fits no layout 'alpaca' (data_format)", named.Reason);
        Assert.DoesNotContain("sharegpt", named.Reason);
    }

    [Fact]
    public void A_file_mixing_layouts_is_refused_at_the_odd_record_and_skip_bad_skips_it()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "mixed.jsonl",
            """{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello."}]}""",
            """{"instruction": "Add 2 and 2.", "input": "", "output": "4"}""",
            """{"conversations": [{"from": "human", "value": "Bye"}, {"from": "gpt", "value": "Goodbye."}]}""");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Equal($"{path}:2", error.Location);
        Assert.Contains($"a record in layout 'alpaca' in a file of layout 'sharegpt' (detected from the first record, {path}:1): one file holds one layout", error.Reason);

        var data = SftDataSet.Read(path, skipBad: true);
        Assert.Equal(["Hello.", "Goodbye."], data.Samples.Select(s => s.Messages[1].Content));
        Assert.Equal([$"{path}:2"], data.Skipped.Select(s => s.Location));
    }

    [Theory]
    [InlineData("""{"conversations": [{"from": "human", "value": "Hi"}, {"from": "tool", "value": "{}"}]}""", "conversations[1].from 'tool' is not a role this layout knows")]
    [InlineData("""{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt"}]}""", "conversations[1]: missing field 'value'")]
    [InlineData("""{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "x", "weight": 0.5}]}""", "conversations[1].weight 0.5: expected 0")]
    [InlineData("""{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "x", "weight": 0}]}""", "every assistant turn has weight 0")]
    [InlineData("""{"conversations": "Hi"}""", "field 'conversations' must be a list of {\"from\", \"value\"} objects")]
    [InlineData("""{"instruction": "Say hi.", "input": 3, "output": "Hi"}""", "field 'input' must be a string")]
    [InlineData("""{"instruction": "Say hi.", "input": "", "output": " "}""", "empty assistant response")]
    [InlineData("""{"instruction": "Say hi.", "context": "", "response": 1, "category": "open_qa"}""", "field 'response' must be a string")]
    [InlineData("""{"chosen": "\n\nHuman: Hi\n\nAssistant: Hello.", "rejected": "Go away."}""", "field 'rejected': an HH transcript starts with")]
    [InlineData("""{"chosen": "\n\nHuman: Hi\n\nAssistant:", "rejected": "\n\nHuman: Hi\n\nAssistant: Go away."}""", "empty assistant response")]
    [InlineData("""{"chosen": "\n\nHuman: Hi\n\nAssistant: A", "rejected": "\n\nHuman: Yo\n\nAssistant: B"}""", "share no leading user or system turn")]
    public void A_bad_record_of_each_layout_is_reported_at_its_line(string bad, string expected)
    {
        using var temp = new TempDirectory();
        var good = bad.Contains("\"chosen\"") ? """{"chosen": "\n\nHuman: Q\n\nAssistant: A", "rejected": "\n\nHuman: Q\n\nAssistant: B"}"""
            : bad.Contains("conversations") ? """{"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}"""
            : bad.Contains("context") ? """{"instruction": "Q", "context": "", "response": "A", "category": "open_qa"}"""
            : """{"instruction": "Q", "input": "", "output": "A"}""";
        var path = Write(temp, "data.jsonl", good, bad);
        var error = Assert.Throws<DataFormatException>(() => SampleData.Read(path));
        Assert.Equal($"{path}:2", error.Location);
        Assert.Contains(expected, error.Reason);
    }

    [Fact]
    public void An_unknown_role_names_the_mapping_that_reads_it_and_the_mapping_does()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "data.jsonl",
            """{"conversations": [{"from": "human", "value": "Hi"}, {"from": "bing", "value": "Hello."}]}""");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Contains("\"roles\": {\"bing\": \"user\"}", error.Reason);
        var mapping = ColumnMapping.Parse("""{"roles": {"bing": "assistant"}}""", "--data-columns");
        var sample = Assert.Single(SftDataSet.Read(path, format: new DataFormat(Columns: mapping)).Samples);
        Assert.Equal(new ChatMessage(ChatMessage.Assistant, "Hello."), sample.Messages[1]);
    }

    [Fact]
    public void A_column_mapping_reads_a_custom_layout_into_the_messages_twin()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "custom.jsonl",
            """{"uid": "c1", "dialog": [{"speaker": "customer", "text": "Where is my parcel?"}, {"speaker": "agent", "text": "It ships tomorrow."}]}""",
            """{"uid": "c2", "dialog": [{"speaker": "sys", "text": "Be kind."}, {"speaker": "customer", "text": "Thanks!"}, {"speaker": "agent", "text": "You're welcome."}]}""");
        var twin = Write(temp, "twin.jsonl",
            """{"id": "c1", "messages": [{"role": "user", "content": "Where is my parcel?"}, {"role": "assistant", "content": "It ships tomorrow."}]}""",
            """{"id": "c2", "messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Thanks!"}, {"role": "assistant", "content": "You're welcome."}]}""");
        var mapping = ColumnMapping.Parse("""{"messages": "dialog", "role": "speaker", "content": "text", "id": "uid", "roles": {"customer": "user", "agent": "assistant", "sys": "system"}}""", "--data-columns");
        var data = SftDataSet.Read(path, format: new DataFormat(Columns: mapping));
        var expected = SftDataSet.Read(twin);
        Assert.StartsWith("messages", data.Layout);
        Assert.Equal(expected.Samples.Select(s => s.Id), data.Samples.Select(s => s.Id));
        Assert.Equal(expected.Samples.SelectMany(s => s.Messages), data.Samples.SelectMany(s => s.Messages));

        // prompt/response fields mapped too
        var pairs = Write(temp, "qa.jsonl", """{"question": "Where is my parcel?", "answer": "It ships tomorrow."}""");
        var qa = SftDataSet.Read(pairs, format: new DataFormat(Columns: ColumnMapping.Parse("""{"prompt": "question", "response": "answer"}""", "x")));
        Assert.Equal(expected.Samples[0].Messages, Assert.Single(qa.Samples).Messages);
    }

    [Theory]
    [InlineData("""{"message": "dialog"}""", "unknown key 'message'")]
    [InlineData("""{"roles": {"bot": "robot"}}""", "roles.bot: expected one of system, user, assistant")]
    [InlineData("""{"role": ""}""", "'role' must be a field name")]
    [InlineData("""["dialog"]""", "expected a JSON object")]
    [InlineData("""{"messages": """, "not valid JSON")]
    public void A_bad_mapping_is_refused_naming_where_it_came_from(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ColumnMapping.Parse(json, "--data-columns"));
        Assert.StartsWith("--data-columns: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Weight_zero_assistant_turns_are_context_and_null_or_one_are_trained()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "weights.jsonl",
            """{"conversations": [{"from": "human", "value": "Hi", "weight": 0}, {"from": "gpt", "value": "Hello.", "weight": 0}, {"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4", "weight": null}, {"from": "human", "value": "3+3?"}, {"from": "gpt", "value": "6", "weight": 1}]}""",
            """{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello."}, {"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}, {"from": "human", "value": "3+3?"}, {"from": "gpt", "value": "6"}]}""");
        var data = SftDataSet.Read(path);
        Assert.Equal([1], data.Samples[0].ContextTurns!);
        Assert.Equal([false, false, false, true, false, true], Enumerable.Range(0, 6).Select(data.Samples[0].IsResponse));
        // The same turns, all trained, are another sample.
        Assert.Equal(data.Samples[0].Messages, data.Samples[1].Messages);
        Assert.NotEqual(data.Samples[0].Id, data.Samples[1].Id);

        // Written back (messages layout, weight 0 kept) and read again, the same.
        var copy = temp.File("copy.jsonl");
        SftDataWriter.WriteJsonLines(copy, data.Samples);
        var again = SftDataSet.Read(copy);
        Assert.Equal(data.Samples.Select(s => s.Id), again.Samples.Select(s => s.Id));
        Assert.Equal([1], again.Samples[0].ContextTurns!);
    }

    [Fact]
    public void A_json_array_is_read_element_by_element_with_each_records_line()
    {
        using var temp = new TempDirectory();
        var path = temp.File("data.json");
        File.WriteAllText(path, "\uFEFF[\n  {\"instruction\": \"a\", \"output\": \"b\"},\n  {\"instruction\": \"c\",\n   \"output\": \"\"},\n  7,\n  {\"instruction\": \"e\", \"output\": \"f\"}\n]\n");
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path));
        Assert.Equal($"{path}:3 (record 2)", error.Location);
        var data = SftDataSet.Read(path, skipBad: true);
        Assert.Equal(["b", "f"], data.Samples.Select(s => s.Messages[1].Content));
        Assert.Equal([$"{path}:3 (record 2)", $"{path}:5 (record 3)"], data.Skipped.Select(s => s.Location));
        Assert.Contains("expected a JSON object", data.Skipped[1].Reason);
    }

    [Theory]
    [InlineData("{\"instruction\": \"a\", \"output\": \"b\"}\n", ":1", "expected a JSON array of records")]
    [InlineData("[\n{\"instruction\": \"a\", \"output\": \"b\"},\n{\"instruction\": \"c\"", ":3", "malformed JSON array: Expected depth to be zero")]
    [InlineData("[\n{\"instruction\": \"a\", \"output\": \"b\"}\n]\n{}", ":4", "text after the closing ']'")]
    [InlineData("[\n{\"instruction\": \"a\", \"output\": \"b\"}\n{\"instruction\": \"c\", \"output\": \"d\"}]", ":3", "malformed JSON array")]
    [InlineData("", "", "no JSON array")]
    public void A_malformed_json_array_stops_the_read_at_its_line_even_with_skip_bad(string content, string line, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.File("data.json");
        File.WriteAllText(path, content);
        var error = Assert.Throws<DataFormatException>(() => SftDataSet.Read(path, skipBad: true));
        Assert.Equal(path + line, error.Location);
        Assert.Contains(expected, error.Reason);
    }

    [Fact]
    public void A_json_array_larger_than_the_buffer_is_read_across_refills_with_the_right_lines()
    {
        using var temp = new TempDirectory();
        var path = temp.File("big.json");
        // Records of 1 KB to 300 KB (the largest beyond the reader's first 64 KB buffer), each on its own line.
        var contents = Enumerable.Range(0, 60).Select(i => new string((char)('a' + i % 26), 1000 + i * i * 80)).ToList();
        File.WriteAllText(path, "[\n" + string.Join(",\n", contents.Select(c => $"{{\"instruction\": \"q\", \"output\": \"{c}\"}}")) + "\n]");
        var data = SftDataSet.Read(path);
        Assert.Equal(contents, data.Samples.Select(s => s.Messages[1].Content));
        File.AppendAllText(path, "x");
        Assert.Equal($"{path}:62", Assert.Throws<DataFormatException>(() => SftDataSet.Read(path)).Location);
    }

    [Fact]
    public async Task A_json_array_is_streamed_not_read_whole()
    {
        // A FIFO whose writer sends the first record and waits: a reader that read the file whole would never return.
        using var temp = new TempDirectory();
        var path = temp.File("stream.json");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
            mkfifo.WaitForExit();
        using var firstSeen = new ManualResetEventSlim();
        var writer = Task.Run(() =>
        {
            try
            {
                using var fifo = new StreamWriter(path);
                fifo.Write("[{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"},");
                fifo.Flush();
                firstSeen.Wait(TimeSpan.FromSeconds(30));
                fifo.Write(string.Join(",", Enumerable.Repeat("{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}", 1000)) + "]");
            }
            catch (IOException) { } // the reader closed the FIFO after its first record, as it should
        });
        var reader = Task.Run(() => PreferenceDataSet.IsPreferenceFile(path));
        var done = await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(20)));
        firstSeen.Set();
        Assert.True(done == reader, "the first record was not read before the file ended");
        Assert.True(await reader);
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
