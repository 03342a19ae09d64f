using System.Text.Json;
using System.Text.Json.Serialization;

namespace PoFT.Trainer.Training;

/// <summary>Where a run stands, saved with every checkpoint so that <c>--resume</c> continues exactly:
/// the next optimizer step, the epoch and micro-batch it starts at, the run's options, and
/// <see cref="Inputs"/>: what the run was started on beyond its options (the config's other fields, its
/// data files by content), so that a resume against anything else is refused rather than mixed in.</summary>
public sealed record TrainerState(int Step, int Epoch, int MicroBatch, long Tokens, double ElapsedSeconds, TrainingOptions Options,
    IReadOnlyDictionary<string, string> Inputs)
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
        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path}: empty");
        if (state.Options is null)
            throw new InvalidDataException($"{path}: no 'options': not a checkpoint this trainer can resume");
        if (state.Inputs is null)
            throw new InvalidDataException($"{path}: no 'inputs' (written by an earlier version): nothing records which data and models " +
                "the run was trained on, so resuming it could mix them; start a new run from this checkpoint with --config 'model' instead");
        return state;
    }

    public void Save(string directory) => File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}
