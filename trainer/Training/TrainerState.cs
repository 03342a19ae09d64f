using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PoFT.Trainer.Training;

/// <summary>Where a run stands, saved with every checkpoint so that <c>--resume</c> continues exactly:
/// the next optimizer step, the epoch and micro-batch it starts at, the run's options, and
/// <see cref="Inputs"/>: what the run was started on beyond its options (the config's other fields as their JSON
/// values, its data files as <c>"sha256:…"</c> of their content), so that a resume against anything else is
/// refused rather than mixed in.</summary>
public sealed record TrainerState(int Step, int Epoch, int MicroBatch, long Tokens, double ElapsedSeconds, TrainingOptions Options,
    IReadOnlyDictionary<string, JsonNode?> Inputs)
{
    public const string FileName = "trainer_state.json";

    /// <summary>AdamW's state: in step checkpoints only (<c>checkpoints/step-N/</c>), never in <c>final/</c>.</summary>
    public const string OptimizerFile = "optimizer.bin";

    public const string ScoresFile = "reference_scores.msgpack";

    /// <summary>The layout <see cref="Save"/> writes: 2, every <c>inputs</c> value plain JSON. Files without
    /// <c>state_version</c> are version 1, whose <c>inputs</c> held each value as a string of JSON text
    /// (<see cref="InputsOfVersion1"/>).</summary>
    public const int CurrentVersion = 2;

    /// <summary>The layout this state was read from: <see cref="CurrentVersion"/> once loaded or saved.</summary>
    [JsonPropertyOrder(-1)]
    public int StateVersion { get; init; }

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
        TrainerState? read;
        try
        {
            read = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a trainer state this trainer reads ({e.Message})", e);
        }
        var state = read ?? throw new InvalidDataException($"{path}: empty");
        if (state.Options is null)
            throw new InvalidDataException($"{path}: no 'options': not a checkpoint this trainer can resume");
        if (state.Inputs is null)
            throw new InvalidDataException($"{path}: no 'inputs' (written by an earlier version): nothing records which data and models " +
                "the run was trained on, so resuming it could mix them; start a new run from this checkpoint with --config 'model' instead");
        return state.StateVersion switch
        {
            0 or 1 => state with { Inputs = InputsOfVersion1(path, state.Inputs), StateVersion = CurrentVersion },
            CurrentVersion => state,
            var other => throw new InvalidDataException($"{path}: state_version {other} is newer than this trainer reads ({CurrentVersion})"),
        };
    }

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this with { StateVersion = CurrentVersion }, Json));

    /// <summary>Version 1 wrote each value as a string: JSON text (<c>"{\"family\":…}"</c>, <c>"256"</c>, <c>"null"</c>), or
    /// for a file compared by content <c>"sha256:…"</c>, which is not JSON. Read as the values they spell, a version-1
    /// checkpoint is compared on resume exactly as it was before.</summary>
    private static Dictionary<string, JsonNode?> InputsOfVersion1(string path, IReadOnlyDictionary<string, JsonNode?> inputs) =>
        inputs.ToDictionary(kv => kv.Key, kv =>
        {
            if (kv.Value is not JsonValue value || !value.TryGetValue<string>(out var text))
                throw new InvalidDataException($"{path}: inputs.{kv.Key}: expected a string (a file without state_version keeps its inputs as JSON text)");
            if (text.StartsWith("sha256:", StringComparison.Ordinal))
                return JsonValue.Create(text);
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: inputs.{kv.Key}: '{text}' is not JSON text ({e.Message})", e);
            }
        });
}
