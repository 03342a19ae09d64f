using System.Text.Json.Nodes;
using PoFT.Shared.Scoring;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

public class ScoreFileTests
{
    private static readonly string[] Names = ["llama", "qwen"];

    private static ScoreRecord Record(int i) => ScoreRecord.From(
        PreferenceScore.Combine($"id{i}", [new ModelScore(-1.5 * i, 3), new ModelScore(-0.25 * i, 5)], [1, 1]), Names);

    [Theory]
    [InlineData("scores.msgpack")]
    [InlineData("scores.jsonl")]
    public void Records_round_trip(string name)
    {
        using var temp = new TempDirectory();
        var path = temp.File(name);
        using (var writer = ScoreFileWriter.Open(path, resume: false, Names))
            for (var i = 0; i < 5; i++)
                writer.Append(Record(i));
        var read = ScoreFile.Read(path);
        Assert.Equal(5, read.Count);
        Assert.Equal("id3", read[3].Id);
        Assert.Equal((-4.5 / 3 + -0.75 / 5) / 2, read[3].Reference, 12);
        Assert.Equal(["llama", "qwen"], read[3].Models.Select(m => m.Name));
        Assert.Equal(5, read[3].Models[1].Count);
    }

    [Fact]
    public void Json_lines_have_the_documented_field_names()
    {
        using var temp = new TempDirectory();
        var path = temp.File("s.jsonl");
        using (var writer = ScoreFileWriter.Open(path, resume: false, Names))
            writer.Append(Record(2));
        var line = JsonNode.Parse(File.ReadAllLines(path).Single())!;
        Assert.Equal("id2", line["id"]!.GetValue<string>());
        Assert.NotNull(line["reference"]);
        Assert.Equal(-3.0, line["models"]![0]!["sum"]!.GetValue<double>());
        Assert.Equal(-1.0, line["models"]![0]!["mean"]!.GetValue<double>());
        Assert.Equal(3, line["models"]![0]!["count"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("scores.msgpack")]
    [InlineData("scores.jsonl")]
    public void Resuming_keeps_complete_records_and_drops_a_torn_one(string name)
    {
        using var temp = new TempDirectory();
        var path = temp.File(name);
        using (var writer = ScoreFileWriter.Open(path, resume: false, Names))
            for (var i = 0; i < 3; i++)
                writer.Append(Record(i));
        var whole = new FileInfo(path).Length;
        using (var stream = new FileStream(path, FileMode.Append))
            stream.Write(ScoreFile.Encode(Record(3), ScoreFile.IsMessagePack(path)).AsSpan(0, 7));
        Assert.Throws<InvalidDataException>(() => ScoreFile.Read(path));

        using (var writer = ScoreFileWriter.Open(path, resume: true, Names))
        {
            Assert.Equal(["id0", "id1", "id2"], writer.AlreadyScored.Order());
            Assert.Equal(whole, new FileInfo(path).Length);
            writer.Append(Record(3));
        }
        Assert.Equal(["id0", "id1", "id2", "id3"], ScoreFile.Read(path).Select(r => r.Id));
    }

    [Fact]
    public void An_existing_file_is_never_overwritten_without_resume()
    {
        using var temp = new TempDirectory();
        var path = temp.File("s.msgpack");
        using (var writer = ScoreFileWriter.Open(path, resume: false, Names))
            writer.Append(Record(1));
        var before = File.ReadAllBytes(path);
        Assert.Contains("--resume", Assert.Throws<IOException>(() => ScoreFileWriter.Open(path, resume: false, Names)).Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_record_with_a_number_that_is_not_finite_is_refused_naming_file_record_and_field()
    {
        using var temp = new TempDirectory();
        var path = temp.File("s.msgpack");
        var good = Record(1);
        var bad = good with { Id = "nan-sum", Models = [good.Models[0], good.Models[1] with { Sum = double.NaN }] };
        File.WriteAllBytes(path, [.. ScoreFile.Encode(good, messagePack: true), .. ScoreFile.Encode(bad, messagePack: true)]);
        var error = Assert.Throws<InvalidDataException>(() => ScoreFile.Read(path));
        Assert.Contains($"{path}: record 2: record 'nan-sum': model 'qwen': field 'sum' is NaN", error.Message);
    }

    // Found by fuzzing (scripts/fuzz.sh score): a record with a field missing or null, a null record, and a byte
    // MessagePack never uses were .NET NullReferenceException and MessagePackSerializationException stack traces.
    [Theory]
    [InlineData("s.jsonl", """{"id": "a", "reference": 0}""", ":1: field 'models' is missing or null")]
    [InlineData("s.jsonl", """{"reference": 0, "models": []}""", ":1: field 'id' is missing or null")]
    [InlineData("s.jsonl", """{"id": "a", "reference": 0, "models": [null]}""", ":1: record 'a': field 'models[0]' is missing or null")]
    [InlineData("s.jsonl", """{"id": "a", "reference": 0, "models": [{"sum": 0, "count": 1, "mean": 0}]}""", ":1: record 'a': field 'models[0].name' is missing or null")]
    [InlineData("s.msgpack", "C0", ": record 1: a null, not a score record")]
    [InlineData("s.msgpack", "C1", ": record 1 is not a score record: Unexpected msgpack code 193")]
    [InlineData("s.msgpack", "81A26964C0", ": record 1: field 'id' is missing or null")]
    // A string whose 32-bit length has its top bit set (here 0xDBDBDBDB): MessagePack takes it for a negative int and
    // its stream reader threw ArgumentOutOfRangeException while finding where the record ends (scripts/fuzz.sh score, second run).
    [InlineData("s.msgpack", "81DBDBDBDBDB", ": record 1 is not a score record: a length of 2 GiB or more")]
    public void A_record_with_a_field_missing_or_null_is_refused_naming_file_record_and_field(string name, string content, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.File(name);
        if (ScoreFile.IsMessagePack(path))
            File.WriteAllBytes(path, Convert.FromHexString(content));
        else
            File.WriteAllText(path, content + "\n");
        var error = Assert.Throws<InvalidDataException>(() => ScoreFile.Read(path));
        Assert.StartsWith(path + expected, error.Message);
    }

    [Fact]
    public void Resuming_with_other_models_is_refused()
    {
        using var temp = new TempDirectory();
        var path = temp.File("s.jsonl");
        using (var writer = ScoreFileWriter.Open(path, resume: false, Names))
            writer.Append(Record(1));
        var error = Assert.Throws<InvalidDataException>(() => ScoreFileWriter.Open(path, resume: true, ["llama"]));
        Assert.Contains("same manifest", error.Message);
    }
}
