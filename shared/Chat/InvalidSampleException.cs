namespace PoFT.Shared.Chat;

/// <summary>A sample that cannot be rendered or tokenized as asked; the message names the sample id.</summary>
public sealed class InvalidSampleException(string sampleId, string problem) : PoFT.Shared.PoftUserException($"sample '{sampleId}': {problem}")
{
    public string SampleId { get; } = sampleId;
}
