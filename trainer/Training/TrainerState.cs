using System.Text.Json;
using System.Text.Json.Serialization;

namespace PoFT.Trainer.Training;

/// <summary>Where a run stands, saved with every checkpoint so that <c>--resume</c> continues exactly:
/// the next optimizer step, the epoch and micro-batch it starts at, and the run's options.</summary>
public sealed record TrainerState(int Step, int Epoch, int MicroBatch, long Tokens, double ElapsedSeconds, TrainingOptions Options)
{
    public const string FileName = "trainer_state.json";
    public const string OptimizerFile = "optimizer.bin";
    public const string ScoresFile = "reference_scores.msgpack";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static TrainerState Load(string checkpointDirectory)
    {
        var path = Path.Combine(checkpointDirectory, FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{checkpointDirectory} is not a training checkpoint: no {FileName}", path);
        return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path}: empty");
    }

    public void Save(string directory) => File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}
