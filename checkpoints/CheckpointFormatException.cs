using PoFT.Shared;

namespace PoFT.Checkpoints;

/// <summary>A checkpoint file (config.json, safetensors, index) that is not what this project can load;
/// the message names the file and the field or tensor.</summary>
public sealed class CheckpointFormatException(string file, string reason)
    : PoftUserException($"{file}: {reason}")
{
    public string File { get; } = file;
}
