namespace PoFT.Scorer.Pipeline;

public sealed record ScoringPipelineOptions
{
    /// <summary>Samples sorted and packed together; larger windows pack tighter, smaller ones answer sooner.</summary>
    public int WindowSize { get; init; } = 256;
    /// <summary>Windows each stage may run ahead of the next (tokenization ahead of inference, scores
    /// ahead of the consumer).</summary>
    public int WindowsAhead { get; init; } = 2;
    public int TokenizerThreads { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);
}
