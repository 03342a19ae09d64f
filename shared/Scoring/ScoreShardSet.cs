using PoFT.Shared.Data;

namespace PoFT.Shared.Scoring;

/// <summary>
/// The score files of <c>score --shard i/N</c> for i = 0..N−1 (an Indexed Job's pods write one each), read
/// and checked as one score file: every shard's provenance records the same backend, data file and models
/// with the same settings; the shards are 0/N..N−1/N of one N, each exactly once; every record belongs to
/// its file's shard and names its models; no sample appears twice; and every shard is complete — each of its
/// samples present (named, when the data file is at hand), else as many records as its provenance counts.
/// Any failure names the file and the field or sample. Files are read whole and not changed.
/// </summary>
public sealed class ScoreShardSet
{
    private const int Shown = 5;

    /// <summary>The score files, in shard order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The provenance of the records together: the shards', covering the whole data file.</summary>
    public ScoreProvenance Provenance { get; }

    /// <summary>Every record once: in data order when read with the data file, else shard after shard.</summary>
    public IReadOnlyList<ScoreRecord> Records { get; }

    private ScoreShardSet(IReadOnlyList<string> files, ScoreProvenance provenance, IReadOnlyList<ScoreRecord> records) =>
        (Files, Provenance, Records) = (files, provenance, records);

    /// <summary>What <c>train --scores</c> reads: one score file as it is, or a folder of shards merged.</summary>
    public static IReadOnlyList<ScoreRecord> ReadFileOrShards(string path) =>
        Directory.Exists(path) ? Read([path]).Records : ScoreFile.Read(path);

    /// <param name="paths">Score files, and folders standing for every score file (.msgpack, .jsonl) in them.</param>
    /// <param name="data">The data file the shards scored: checked by SHA-256, it names missing samples and
    /// orders the records; null leaves the records in shard order and counts each shard's.</param>
    public static ScoreShardSet Read(IReadOnlyList<string> paths, SftDataSet? data = null)
    {
        var shards = Find(paths).Select(Shard.Read).ToList();
        var first = shards[0];
        foreach (var shard in shards.Skip(1))
            if (first.Provenance.FirstDifference(shard.Provenance, withShard: false) is { } d)
                throw new InvalidDataException($"{shard.Sidecar}: {d.What} is {d.Other}, but {d.Recorded} in {first.Sidecar}: shards merge only when " +
                    "the same data, models and settings scored them");
        shards = InShardOrder(shards);
        var holder = new Dictionary<string, Shard>(StringComparer.Ordinal);
        foreach (var shard in shards)
            foreach (var record in shard.Records)
            {
                if (!holder.TryAdd(record.Id, shard))
                    throw new InvalidDataException($"sample '{record.Id}' appears twice: " +
                        (ReferenceEquals(holder[record.Id], shard) ? $"twice in {shard.File}" : $"in {holder[record.Id].File} and in {shard.File}"));
                shard.RequireHolds(record);
            }
        var records = data is null ? CountedComplete(shards) : NamedComplete(shards, holder, data, first);
        return new ScoreShardSet([.. shards.Select(s => s.File)], first.Provenance.Merged(shards.Select(s => s.File)), records);
    }

    private static List<string> Find(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths.Select(Path.GetFullPath))
        {
            if (Directory.Exists(path))
            {
                var found = Directory.GetFiles(path).Where(f => !AtomicFile.IsTemporary(f) && IsScoreFile(f)).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                    throw new FileNotFoundException($"{path}: holds no score files (.msgpack or .jsonl)");
                files.AddRange(found);
            }
            else if (File.Exists(path))
                files.Add(path);
            else
                throw new FileNotFoundException($"{path}: no such score file or folder", path);
        }
        if (files.Count == 0)
            throw new ArgumentException("no score files given");
        if (files.GroupBy(f => f, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"{twice.Key}: given twice");
        return files;
    }

    private static bool IsScoreFile(string path) => Path.GetExtension(path).ToLowerInvariant() is ".msgpack" or ".jsonl";

    /// <summary>The shards sorted by index, refusing two counts N, an index twice and an index missing.</summary>
    private static List<Shard> InShardOrder(List<Shard> shards)
    {
        var count = shards[0].Of.Count;
        if (shards.FirstOrDefault(s => s.Of.Count != count) is { } other)
            throw new InvalidDataException($"{other.Sidecar}: field 'shard' is {other.Of}, but {shards[0].Of} in {shards[0].Sidecar}: " +
                "shards of one data file split two ways");
        if (shards.GroupBy(s => s.Of.Index).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidDataException($"shard {twice.First().Of} is there twice: {string.Join(" and ", twice.Select(s => s.File))}");
        var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.Of.Index)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{(missing.Count == 1 ? "shard" : "shards")} {string.Join(", ", missing.Take(Shown).Select(i => $"{i}/{count}"))}" +
                $"{(missing.Count > Shown ? ", …" : "")} of {count} missing: the files given are " +
                string.Join(", ", shards.OrderBy(s => s.Of.Index).Select(s => $"{s.Of} ({s.File})")));
        return [.. shards.OrderBy(s => s.Of.Index)];
    }

    private static List<ScoreRecord> CountedComplete(List<Shard> shards)
    {
        foreach (var shard in shards)
            if (shard.Records.Count != shard.Provenance.Data.ShardSamples)
                throw new InvalidDataException($"{shard.File}: holds {shard.Records.Count} records, but shard {shard.Of} of " +
                    $"{shard.Provenance.Data.File} has {shard.Provenance.Data.ShardSamples} samples (field 'shard.samples' of {shard.Sidecar}): " +
                    $"it is incomplete; finish it with `score --resume --shard {shard.Of}`");
        return [.. shards.SelectMany(s => s.Records)];
    }

    private static List<ScoreRecord> NamedComplete(List<Shard> shards, Dictionary<string, Shard> holder, SftDataSet data, Shard first)
    {
        var sha256 = FileHash.Sha256(data.Path);
        if (sha256 != first.Provenance.Data.Sha256)
            throw new InvalidDataException($"{data.Path}: its SHA-256 is {sha256}, but the shards scored a data file with SHA-256 " +
                $"{first.Provenance.Data.Sha256} ({first.Provenance.Data.File}; field 'data' of {first.Sidecar})");
        var inData = data.Samples.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            var missing = data.Samples.Where(s => shard.Of.Contains(s.Id) && !holder.ContainsKey(s.Id)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{shard.File}: lacks {missing.Count} of the samples of shard {shard.Of} in {data.Path}: " +
                    $"{string.Join(", ", missing.Take(Shown).Select(s => $"'{s.Id}'"))}{(missing.Count > Shown ? ", …" : "")}; " +
                    $"finish it with `score --resume --shard {shard.Of}`");
            if (shard.Records.FirstOrDefault(r => !inData.Contains(r.Id)) is { } stray)
                throw new InvalidDataException($"{shard.File}: record '{stray.Id}' is no sample of {data.Path}");
        }
        var byId = shards.SelectMany(s => s.Records).ToDictionary(r => r.Id, StringComparer.Ordinal);
        return [.. data.Samples.Select(s => byId[s.Id])];
    }

    /// <summary>One shard's score file, its provenance and its records.</summary>
    private sealed record Shard(string File, string Sidecar, ScoreProvenance Provenance, IReadOnlyList<ScoreRecord> Records)
    {
        public SampleShard Of => Provenance.Data.Shard;

        private IReadOnlyList<string> ModelNames { get; } = Provenance.ModelNames;

        public static Shard Read(string file)
        {
            var sidecar = ScoreProvenance.PathOf(file);
            if (!System.IO.File.Exists(sidecar))
                throw new InvalidDataException($"{file}: has no provenance file {sidecar}, so what scored it, and which shard it is, is unknown: " +
                    "it cannot be merged");
            return new Shard(file, sidecar, ScoreProvenance.Read(sidecar), ScoreFile.Read(file));
        }

        /// <summary>Refuses a record of another shard, or scored by other models than the provenance names.</summary>
        public void RequireHolds(ScoreRecord record)
        {
            if (!Of.Contains(record.Id))
                throw new InvalidDataException($"{File}: record '{record.Id}' belongs to shard {SampleShard.IndexOf(record.Id, Of.Count)}/{Of.Count}, " +
                    $"not to shard {Of} (field 'shard' of {Sidecar})");
            if (!record.Models.Select(m => m.Name).SequenceEqual(ModelNames))
                throw new InvalidDataException($"{File}: record '{record.Id}' was scored by [{string.Join(", ", record.Models.Select(m => m.Name))}], " +
                    $"its provenance {Sidecar} names [{string.Join(", ", ModelNames)}]");
        }
    }
}
