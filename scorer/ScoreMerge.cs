using PoFT.Shared;
using PoFT.Shared.Data;
using PoFT.Shared.Scoring;

namespace PoFT.Scorer;

/// <summary>
/// <c>merge-scores</c>: the shards of a sharded scoring run (<see cref="ScoreShardSet"/>, every check
/// included) written as the one score file an unsharded run would have written — its records in data
/// order — with a provenance of its own. Written whole or not at all (temp file + rename), never over an
/// existing file: the sidecar first, as <c>score</c> writes it, and removed again if the score file fails.
/// </summary>
public static class ScoreMerge
{
    /// <param name="shards">Score files, and folders holding them.</param>
    /// <param name="dataPath">The data file the shards scored: it orders the records.</param>
    /// <param name="format">How the data file is read, as the shards' <c>score</c> runs read it.</param>
    public static ScoreShardSet Run(IReadOnlyList<string> shards, string dataPath, string output, DataFormat? format = null)
    {
        var messagePack = ScoreFile.IsMessagePack(output);
        var sidecar = ScoreProvenance.PathOf(output);
        foreach (var taken in new[] { output, sidecar }.Where(File.Exists))
            throw new IOException($"{taken} exists: merge into another --out");
        // The shards recorded the data's SHA-256, so the records skipped here as bad are exactly those their
        // runs skipped with --skip-bad (without it, a file with bad records could not have been scored).
        var set = ScoreShardSet.Read(shards, SampleData.Read(dataPath, skipBad: true, format));
        set.Provenance.WriteNew(sidecar);
        try
        {
            AtomicFile.Write(output, stream =>
            {
                foreach (var record in set.Records)
                    stream.Write(ScoreFile.Encode(record, messagePack));
            }, overwrite: false);
        }
        catch
        {
            File.Delete(sidecar);
            throw;
        }
        return set;
    }
}
