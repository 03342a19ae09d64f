using PoFT.Shared.Data;

namespace PoFT.Shared.Scoring;

/// <summary>
/// What a score file's records cover: a data file — named for messages, identified by the SHA-256 of its
/// content, since shards scored on several machines read it under different paths — with its number of
/// samples, and the shard of it scored with that shard's number of samples. A complete file holds one
/// record per sample of its shard.
/// </summary>
public sealed record ScoredData(string File, string Sha256, int Samples, SampleShard Shard, int ShardSamples)
{
    public static ScoredData Of(SftDataSet data, SampleShard shard) =>
        new(Path.GetFileName(data.Path), FileHash.Sha256(data.Path), data.Samples.Count, shard, data.Samples.Count(s => shard.Contains(s.Id)));

    /// <summary>The whole data file, as the shards merged from it cover it.</summary>
    public ScoredData Whole => this with { Shard = SampleShard.All, ShardSamples = Samples };
}
