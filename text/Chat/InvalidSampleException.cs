using PoFT.Shared;

namespace PoFT.Text.Chat;

/// <summary>A sample that cannot be rendered or tokenized as asked; the message names the sample id.</summary>
public sealed class InvalidSampleException(string sampleId, string problem) : PoftUserException($"sample '{sampleId}': {problem}")
{
    public string SampleId { get; } = sampleId;
}
