using System.Text.Json.Nodes;
using PoFT.Shared;

namespace PoFT.Checkpoints;

/// <summary>
/// What a LoRA adapter was trained on, recorded beside it (<see cref="FileName"/>: the base's path and a SHA-256 of its
/// content) so that <c>merge</c> refuses another base whose shapes happen to match — the merge would succeed and the
/// model would be wrong. The content is config.json and the weight files (<c>*.safetensors</c> and the shard index),
/// by name and SHA-256 in name order: a copy of the base elsewhere passes, a fine-tuned variant does not. Tokenizer
/// files are left out: they do not enter W + s·B·A. A file of its own rather than a key in adapter_config.json, which
/// PEFT parses into its LoraConfig.
/// </summary>
public static class BaseFingerprint
{
    public const string FileName = "poft_adapter_base.json";

    /// <summary>SHA-256 over the checkpoint's config.json and weight files (read through once: about a second per
    /// GB, paid once per training run and once per merge).</summary>
    public static string Of(string checkpointDirectory) => FileHash.Sha256OfFolder(checkpointDirectory, IsContent);

    public static void Write(string adapterDirectory, string baseDirectory, string sha256) =>
        File.WriteAllText(Path.Combine(adapterDirectory, FileName),
            new JsonObject { ["base_model_name_or_path"] = baseDirectory, ["base_sha256"] = sha256 }.ToJsonString() + "\n");

    /// <summary>Refuses <paramref name="baseDirectory"/> where the adapter records another base's content. An adapter
    /// without the record (written by PEFT, or before it existed) is taken as it is.</summary>
    /// <exception cref="CheckpointFormatException">The content differs, or the record is malformed.</exception>
    public static void RequireTrainedOn(string adapterDirectory, string baseDirectory)
    {
        var path = Path.Combine(adapterDirectory, FileName);
        if (!File.Exists(path))
            return;
        JsonObject record;
        try
        {
            record = StrictJson.ParseNode(File.ReadAllText(path)) as JsonObject ?? throw new CheckpointFormatException(path, "expected a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CheckpointFormatException(path, $"not valid JSON: {e.Message}");
        }
        var recordedPath = record["base_model_name_or_path"] is JsonValue p && p.TryGetValue<string>(out var named) ? named : "(unrecorded)";
        var recorded = record["base_sha256"] is JsonValue v && v.TryGetValue<string>(out var sha) && sha.Length == 64 ? sha
            : throw new CheckpointFormatException(path, "base_sha256: expected the SHA-256 (64 hex digits) of the base the adapter was trained on");
        var actual = Of(baseDirectory);
        if (!string.Equals(recorded, actual, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointFormatException(path, $"the adapter was trained on the base at {recordedPath} (content SHA-256 {recorded[..12]}…); " +
                $"{baseDirectory} holds another (SHA-256 {actual[..12]}…), though its shapes may match: merge into the base it was trained on");
    }

    private static bool IsContent(string file) =>
        Path.GetFileName(file) is var name && (name == Checkpoint.ConfigFile || name.EndsWith(".safetensors", StringComparison.Ordinal)
            || name.EndsWith(".safetensors.index.json", StringComparison.Ordinal));
}
