namespace PoFT.Shared.Data;

/// <summary>A data record that is not a valid SFT sample; <see cref="Location"/> is "file:line" (JSONL)
/// or "file:row N" (Parquet).</summary>
public sealed class DataFormatException(string location, string reason) : PoftUserException($"{location}: {reason}")
{
    public string Location { get; } = location;
    public string Reason { get; } = reason;
}
