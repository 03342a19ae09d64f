using Parquet.Serialization;
using PoFT.Shared.Data;
using PoFT.Tests.Support;

namespace PoFT.Tests.Data;

public class PreferenceDataSetTests
{
    private static string Write(TempDirectory temp, params string[] lines)
    {
        var path = temp.File("pairs.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static ChatMessage User(string content) => new(ChatMessage.User, content);
    private static ChatMessage Assistant(string content) => new(ChatMessage.Assistant, content);

    /// <summary>The pair's prompt, as both its samples hold it before their completions.</summary>
    private static IReadOnlyList<ChatMessage> Prompt(PreferencePair pair) => [.. pair.Chosen.Messages.Take(pair.Chosen.ScoredFrom)];

    private static IReadOnlyList<ChatMessage> Completion(SftSample sample) => [.. sample.Messages.Skip(sample.ScoredFrom)];

    private const string UltraFeedback =
        """{"prompt": "How far is the Moon?", "prompt_id": "uf-1", "chosen": [{"content": "How far is the Moon?", "role": "user"}, {"content": "About 384,400 km.", "role": "assistant"}], "rejected": [{"content": "How far is the Moon?", "role": "user"}, {"content": "Very far.", "role": "assistant"}], "messages": [{"content": "How far is the Moon?", "role": "user"}, {"content": "About 384,400 km.", "role": "assistant"}], "score_chosen": 8.5, "score_rejected": 3.0}""";

    [Fact]
    public void Strings_are_a_system_and_user_prompt_and_one_assistant_turn_each()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"prompt_id": 7, "system": "Be brief.", "prompt": "2+2?", "chosen": "4", "rejected": "5"}""",
            """{"id": "b", "prompt": "Hi", "chosen": "Hello.", "rejected": "Go away."}""");
        var data = PreferenceDataSet.Read(path);

        Assert.Equal(["7", "b"], data.Pairs.Select(p => p.Id));
        var pair = data.Pairs[0];
        Assert.Equal([new(ChatMessage.System, "Be brief."), User("2+2?")], Prompt(pair));
        Assert.Equal(2, pair.Chosen.ScoredFrom);
        Assert.Equal([Assistant("4")], Completion(pair.Chosen));
        Assert.Equal([Assistant("5")], Completion(pair.Rejected));
        Assert.Equal(("7/chosen", "7/rejected"), (pair.Chosen.Id, pair.Rejected.Id));
        Assert.Equal([User("Hi")], Prompt(data.Pairs[1]));
    }

    [Fact]
    public void Ultrafeedback_records_split_the_shared_turns_from_the_completions()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, UltraFeedback,
            // Two turns: the earlier assistant turn both share is prompt, context only.
            """{"prompt": "And the Sun?", "prompt_id": "uf-2", "chosen": [{"role": "user", "content": "How far is the Moon?"}, {"role": "assistant", "content": "384,400 km."}, {"role": "user", "content": "And the Sun?"}, {"role": "assistant", "content": "150 million km."}], "rejected": [{"role": "user", "content": "How far is the Moon?"}, {"role": "assistant", "content": "384,400 km."}, {"role": "user", "content": "And the Sun?"}, {"role": "assistant", "content": "Farther."}, {"role": "assistant", "content": "Much farther."}]}""");
        var data = PreferenceDataSet.Read(path);

        Assert.Equal(["uf-1", "uf-2"], data.Pairs.Select(p => p.Id));
        Assert.Equal([User("How far is the Moon?")], Prompt(data.Pairs[0]));
        Assert.Equal([Assistant("About 384,400 km.")], Completion(data.Pairs[0].Chosen));
        Assert.Equal([Assistant("Very far.")], Completion(data.Pairs[0].Rejected));
        var second = data.Pairs[1];
        Assert.Equal(3, second.Chosen.ScoredFrom);
        Assert.Equal(3, second.Rejected.ScoredFrom);
        Assert.Equal([User("How far is the Moon?"), Assistant("384,400 km."), User("And the Sun?")], Prompt(second));
        Assert.Equal([Assistant("150 million km.")], Completion(second.Chosen));
        Assert.Equal([Assistant("Farther."), Assistant("Much farther.")], Completion(second.Rejected));
    }

    [Fact]
    public void Trl_conversational_records_take_the_explicit_prompt_and_strip_it_where_a_completion_repeats_it()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"prompt": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Joke?"}], "chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Joke?"}, {"role": "assistant", "content": "Knock knock."}], "rejected": [{"role": "assistant", "content": "No."}]}""");
        var pair = Assert.Single(PreferenceDataSet.Read(path).Pairs);

        Assert.Equal([User("Hi"), Assistant("Hello."), User("Joke?")], Prompt(pair));
        Assert.Equal(3, pair.Rejected.ScoredFrom);
        Assert.Equal([Assistant("Knock knock.")], Completion(pair.Chosen));
        Assert.Equal([Assistant("No.")], Completion(pair.Rejected));
        Assert.Matches("^[0-9a-f]{16}$", pair.Id);
    }

    [Fact]
    public void Content_ids_are_stable_and_tell_chosen_from_rejected()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"prompt": "p", "chosen": "a", "rejected": "b"}""",
            """{"prompt": "p", "chosen": "b", "rejected": "a"}""");
        var first = PreferenceDataSet.Read(path).Pairs;
        Assert.Equal(first.Select(p => p.Id), PreferenceDataSet.Read(path).Pairs.Select(p => p.Id));
        Assert.NotEqual(first[0].Id, first[1].Id);
        Assert.Matches("^[0-9a-f]{16}$", first[0].Id);
    }

    [Theory]
    [InlineData("""{"prompt": "p", "chosen": "a", "rejected": " "}""", "field 'rejected': empty assistant response")]
    [InlineData("""{"prompt": 3, "chosen": "a", "rejected": "b"}""", "field 'prompt' must be a string")]
    [InlineData("""{"chosen": "a", "rejected": "b"}""", "missing field 'prompt'")]
    [InlineData("""{"prompt": "p", "chosen": "a"}""", "missing field 'rejected'")]
    [InlineData("""{"prompt": "p", "chosen": "a", "rejected": [{"role": "assistant", "content": "b"}]}""", "must both be strings or both lists")]
    [InlineData("""{"prompt": "p", "chosen": "same", "rejected": "same"}""", "the same completion: the pair states no preference")]
    [InlineData("""{"id": 1.5, "prompt": "p", "chosen": "a", "rejected": "b"}""", "field 'id' must be a non-empty string or an integer")]
    [InlineData("""{"prompt": "Other", "chosen": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}], "rejected": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "B"}]}""",
        "misaligned record: field 'prompt' is not the content of chosen[0]")]
    [InlineData("""{"prompt": "Q", "chosen": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}], "rejected": [{"role": "user", "content": "R"}, {"role": "assistant", "content": "B"}]}""",
        "share no leading user or system turn")]
    [InlineData("""{"prompt": "Q", "chosen": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}, {"role": "user", "content": "More"}, {"role": "assistant", "content": "C"}], "rejected": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "B"}]}""",
        "chosen[2]: role 'user' after the prompt")]
    [InlineData("""{"prompt": [{"role": "user", "content": "Q"}], "chosen": [{"role": "robot", "content": "A"}], "rejected": [{"role": "assistant", "content": "B"}]}""",
        "chosen[0].role 'robot'")]
    [InlineData("""{"prompt": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}], "chosen": [{"role": "assistant", "content": "B"}], "rejected": [{"role": "assistant", "content": "C"}]}""",
        "prompt[1]: the prompt ends with an assistant turn")]
    [InlineData("""{"prompt": [{"role": "user", "content": "Q"}], "chosen": [{"role": "user", "content": "Q"}], "rejected": [{"role": "assistant", "content": "C"}]}""",
        "field 'chosen' repeats the prompt's turns and adds no completion")]
    [InlineData("""{"prompt": [{"role": "user", "content": "Q"}], "chosen": [{"role": "assistant", "content": "B"}], "rejected": [{"role": "assistant", "content": ""}]}""",
        "rejected[0]: empty assistant response")]
    [InlineData("""{"prompt": [], "chosen": [{"role": "assistant", "content": "B"}], "rejected": [{"role": "assistant", "content": "C"}]}""", "field 'prompt' is empty")]
    [InlineData("""{"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}""",
        "an SFT record ('messages', or 'prompt' and 'response') in a preference file")]
    public void A_bad_record_stops_the_read_with_its_location_and_field(string line, string expected)
    {
        using var temp = new TempDirectory();
        var path = Write(temp, """{"prompt": "ok", "chosen": "a", "rejected": "b"}""", line);
        var error = Assert.Throws<DataFormatException>(() => PreferenceDataSet.Read(path));
        Assert.Equal($"{path}:2", error.Location);
        Assert.Contains(expected, error.Reason);
    }

    [Fact]
    public void Skip_bad_skips_and_lists_the_bad_records()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"id": "a", "prompt": "p", "chosen": "x", "rejected": "y"}""",
            "not json",
            """{"id": "b", "prompt": "p", "chosen": "x", "rejected": "x"}""",
            """{"id": "c", "prompt": "p", "chosen": "x", "rejected": "z"}""");
        var data = PreferenceDataSet.Read(path, skipBad: true);
        Assert.Equal(["a", "c"], data.Pairs.Select(p => p.Id));
        Assert.Equal([$"{path}:2", $"{path}:3"], data.Skipped.Select(s => s.Location));
        Assert.Contains("same completion", data.Skipped[1].Reason);
    }

    [Fact]
    public void Duplicate_ids_are_an_error_naming_both_lines_and_a_file_of_bad_records_only_names_the_first()
    {
        using var temp = new TempDirectory();
        var path = Write(temp,
            """{"id": "x", "prompt": "p", "chosen": "a", "rejected": "b"}""",
            """{"id": "x", "prompt": "q", "chosen": "a", "rejected": "b"}""");
        var error = Assert.Throws<DataFormatException>(() => PreferenceDataSet.Read(path));
        Assert.Equal($"{path}:2", error.Location);
        Assert.Contains($"duplicate pair id 'x' (first at {path}:1)", error.Reason);

        var bad = Write(temp, """{"prompt": "p", "chosen": "a", "rejected": ""}""");
        var none = Assert.Throws<DataFormatException>(() => PreferenceDataSet.Read(bad, skipBad: true));
        Assert.Equal(bad, none.Location);
        Assert.Contains($"no pairs: all 1 bad records were skipped (first: {bad}:1", none.Reason);
    }

    [Fact]
    public void A_file_mixing_sft_and_preference_records_is_refused_at_the_odd_record_naming_the_format_expected()
    {
        using var temp = new TempDirectory();
        var preferenceFirst = Write(temp,
            """{"prompt": "p", "chosen": "a", "rejected": "b"}""",
            """{"prompt": "q", "response": "r"}""");
        var error = Assert.Throws<DataFormatException>(() => SampleData.Read(preferenceFirst));
        Assert.Equal($"{preferenceFirst}:2", error.Location);
        Assert.Contains("in a preference file: expected 'prompt', 'chosen' and 'rejected'", error.Reason);

        var sftFirst = temp.File("sft.jsonl");
        File.WriteAllLines(sftFirst, ["""{"prompt": "q", "response": "r"}""", """{"prompt": "p", "chosen": "a", "rejected": "b"}"""]);
        error = Assert.Throws<DataFormatException>(() => SampleData.Read(sftFirst));
        Assert.Equal($"{sftFirst}:2", error.Location);
        Assert.Contains("a preference record ('chosen', 'rejected') in an SFT data file", error.Reason);
    }

    [Fact]
    public void Scored_samples_of_a_preference_file_are_each_pairs_chosen_then_rejected()
    {
        using var temp = new TempDirectory();
        // A bad first line does not hide the kind of the file: the first record that is an object tells it.
        var path = Write(temp, "not json", UltraFeedback, """{"id": 2, "prompt": "p", "chosen": "a", "rejected": "b"}""");
        Assert.True(PreferenceDataSet.IsPreferenceFile(path));
        var samples = SampleData.Read(path, skipBad: true);

        Assert.Equal(path, samples.Path);
        Assert.Equal(["uf-1/chosen", "uf-1/rejected", "2/chosen", "2/rejected"], samples.Samples.Select(s => s.Id));
        Assert.Equal("Very far.", samples.Samples[1].Messages[^1].Content);
        Assert.All(samples.Samples, s => Assert.Equal(1, s.ScoredFrom));
        Assert.Equal([$"{path}:1"], samples.Skipped.Select(s => s.Location));
        Assert.False(PreferenceDataSet.IsPreferenceFile(Write(temp, """{"prompt": "q", "response": "r"}""")));
    }

    public sealed class MessageRow
    {
        public string? content { get; set; }
        public string? role { get; set; }
    }

    /// <summary>HuggingFaceH4/ultrafeedback_binarized's columns.</summary>
    public sealed class UltraFeedbackRow
    {
        public string? prompt { get; set; }
        public string? prompt_id { get; set; }
        public List<MessageRow>? chosen { get; set; }
        public List<MessageRow>? rejected { get; set; }
        public List<MessageRow>? messages { get; set; }
        public double score_chosen { get; set; }
        public double score_rejected { get; set; }
    }

    private static UltraFeedbackRow Row(string id, string prompt, string chosen, string rejected) => new()
    {
        prompt = prompt,
        prompt_id = id,
        chosen = [new() { role = "user", content = prompt }, new() { role = "assistant", content = chosen }],
        rejected = [new() { role = "user", content = prompt }, new() { role = "assistant", content = rejected }],
        messages = [new() { role = "user", content = prompt }, new() { role = "assistant", content = chosen }],
        score_chosen = 9,
        score_rejected = 2,
    };

    [Fact]
    public async Task Ultrafeedback_parquet_reads_as_its_jsonl_does_and_its_errors_name_the_row()
    {
        using var temp = new TempDirectory();
        var path = temp.File("ultrafeedback.parquet");
        await ParquetSerializer.SerializeAsync(new[]
        {
            Row("uf-1", "How far is the Moon?", "About 384,400 km.", "Very far."),
            Row("uf-2", "Name a prime.", "7", "8"),
        }, path);
        var jsonl = Write(temp, UltraFeedback);

        Assert.True(PreferenceDataSet.IsPreferenceFile(path));
        var sft = temp.File("sft.parquet");
        await ParquetSerializer.SerializeAsync(new[] { new SftDataSetTests.PairRow { prompt = "Hi", response = "Hello." } }, sft);
        Assert.False(PreferenceDataSet.IsPreferenceFile(sft));
        var data = PreferenceDataSet.Read(path);
        Assert.Equal(["uf-1", "uf-2"], data.Pairs.Select(p => p.Id));
        Assert.Equal(PreferenceDataSet.Read(jsonl).Pairs[0].Chosen.Messages, data.Pairs[0].Chosen.Messages);
        Assert.Equal([Assistant("8")], Completion(data.Pairs[1].Rejected));
        Assert.Equal(1, data.Pairs[1].Rejected.ScoredFrom);

        var misaligned = temp.File("misaligned.parquet");
        var rows = new[] { Row("uf-1", "Q", "A", "B"), Row("uf-2", "Q", "A", "B") };
        rows[1].prompt = "not the user turn";
        await ParquetSerializer.SerializeAsync(rows, misaligned);
        var error = Assert.Throws<DataFormatException>(() => PreferenceDataSet.Read(misaligned));
        Assert.Equal($"{misaligned}:row 2", error.Location);
        Assert.Contains("misaligned record: field 'prompt'", error.Reason);
    }
}
