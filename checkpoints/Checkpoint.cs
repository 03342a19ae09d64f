using PoFT.Shared;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PoFT.Checkpoints;

/// <summary>
/// A Hugging Face style checkpoint directory: <c>config.json</c>, weights in <c>model.safetensors</c> or
/// shards listed by <c>model.safetensors.index.json</c>, and the tokenizer files. Opening one validates
/// every file header and checks that the tensors are exactly those the config calls for.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    public const string ConfigFile = "config.json";
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>PEFT's adapter files: a directory with these holds a LoRA adapter, not a whole model.</summary>
    public const string AdapterConfigFile = "adapter_config.json";
    public const string AdapterWeightsFile = "adapter_model.safetensors";
    public static readonly IReadOnlyList<string> TokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt", "encoder.json", "vocab.bpe", "generation_config.json"];

    private readonly Dictionary<string, SafetensorsFile> _fileOf;
    private readonly List<SafetensorsFile> _files;
    // A split projection of a fused tensor (Phi-3's q_proj in qkv_proj): the fused tensor and its first row.
    private readonly Dictionary<string, (string Fused, long FirstRow, TensorSpec Part)> _slices;

    public string Directory { get; }
    public ModelConfig Config { get; }

    private Checkpoint(string directory, ModelConfig config, Dictionary<string, SafetensorsFile> fileOf, List<SafetensorsFile> files)
    {
        Directory = directory;
        Config = config;
        _fileOf = fileOf;
        _files = files;
        _slices = new(StringComparer.Ordinal);
        foreach (var fused in ExpectedTensors.Fused(config))
        {
            long row = 0;
            foreach (var part in fused.Parts)
            {
                _slices[part.Name] = (fused.Name, row, part);
                row += part.Shape[0];
            }
        }
    }

    public static Checkpoint Open(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new CheckpointFormatException(directory, "checkpoint directory not found");
        if (IsAdapter(directory))
            throw new CheckpointFormatException(directory, $"a LoRA adapter ({AdapterConfigFile}), not a whole model; merge it into its base " +
                $"first: poft merge --adapter {directory} --out MERGED");
        var config = ModelConfig.Load(Path.Combine(directory, ConfigFile));
        var files = new List<SafetensorsFile>();
        try
        {
            var fileOf = OpenWeights(directory, files);
            CheckAgainstConfig(directory, config, fileOf);
            return new Checkpoint(directory, config, fileOf, files);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    /// <summary>A tensor of the file, or a split projection of <see cref="ExpectedTensors.Model"/> that the file
    /// fuses: then its rows of the fused tensor (rows are contiguous, so a byte range of it).</summary>
    public TensorEntry Entry(string name)
    {
        if (_fileOf.TryGetValue(name, out var f))
            return f[name];
        if (!_slices.TryGetValue(name, out var slice))
            throw new CheckpointFormatException(Directory, $"no tensor '{name}'");
        var fused = _fileOf[slice.Fused][slice.Fused];
        var rowBytes = (fused.End - fused.Begin) / fused.Shape[0];
        var begin = fused.Begin + slice.FirstRow * rowBytes;
        return new TensorEntry(name, fused.DType, slice.Part.Shape, begin, begin + slice.Part.Shape[0] * rowBytes);
    }

    public float[] ReadFloat32(string name)
    {
        var entry = Entry(name);
        return _fileOf[_slices.TryGetValue(name, out var slice) ? slice.Fused : name].ReadFloat32(entry);
    }

    public void Dispose() => _files.ForEach(f => f.Dispose());

    /// <summary>Writes a checkpoint directory that Hugging Face tools load: config.json, safetensors (sharded
    /// with an index above <paramref name="maxShardBytes"/>), and the tokenizer files found in
    /// <paramref name="tokenizerDirectory"/>. Split projections whose config fuses them on disk (Phi-3) are
    /// written fused, under Hugging Face's names. The directory is built beside the target and renamed into place,
    /// so an existing checkpoint is only replaced by a complete one; <paramref name="writeExtra"/> adds files
    /// (a trainer's state) to the directory before it is renamed into place.</summary>
    public static void Save(string directory, ModelConfig config, IReadOnlyList<TensorData> tensors,
        string? tokenizerDirectory, long maxShardBytes = 4L << 30, Action<string>? writeExtra = null) =>
        WriteDirectory(directory, staging =>
        {
            File.WriteAllText(Path.Combine(staging, ConfigFile), config.ToJsonString());
            WriteShards(staging, Fuse(config, tensors), maxShardBytes);
            CopyTokenizerFiles(tokenizerDirectory, staging);
            writeExtra?.Invoke(staging);
        });

    // Each fused tensor takes the place of its first part; tensors already fused pass through.
    private static IReadOnlyList<TensorData> Fuse(ModelConfig config, IReadOnlyList<TensorData> tensors)
    {
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var partOf = ExpectedTensors.Fused(config)
            .Where(f => f.Parts.All(p => byName.ContainsKey(p.Name)))
            .SelectMany(f => f.Parts.Select((p, i) => (p.Name, Fused: f, Index: i)))
            .ToDictionary(x => x.Name, StringComparer.Ordinal);
        if (partOf.Count == 0)
            return tensors;
        return [.. tensors
            .Where(t => !partOf.TryGetValue(t.Name, out var p) || p.Index == 0)
            .Select(t => partOf.TryGetValue(t.Name, out var p) ? Concatenated(p.Fused, [.. p.Fused.Parts.Select(q => byName[q.Name])]) : t)];
    }

    private static TensorData Concatenated(FusedTensor fused, TensorData[] parts)
    {
        if (parts.Any(p => p.DType != parts[0].DType || p.Shape.Length != 2 || p.Shape[1] != parts[0].Shape[1]))
            throw new ArgumentException($"the parts of '{fused.Name}' ({string.Join(", ", parts.Select(p => $"{p.Name} {p.DType} [{string.Join(", ", p.Shape)}]"))}) differ in dtype or columns");
        var bytes = new byte[parts.Sum(p => (long)p.Bytes.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.Bytes.Span.CopyTo(bytes.AsSpan(offset));
            offset += part.Bytes.Length;
        }
        return new TensorData(fused.Name, parts[0].DType, [parts.Sum(p => p.Shape[0]), parts[0].Shape[1]], bytes);
    }

    public static bool IsAdapter(string directory) => File.Exists(Path.Combine(directory, AdapterConfigFile));

    /// <summary>Copies the tokenizer files that <paramref name="from"/> has (none when it is null).</summary>
    public static void CopyTokenizerFiles(string? from, string to)
    {
        if (from is null)
            return;
        foreach (var name in TokenizerFiles.Where(n => File.Exists(Path.Combine(from, n))))
            File.Copy(Path.Combine(from, name), Path.Combine(to, name));
    }

    /// <summary>Builds a directory beside <paramref name="directory"/> with <paramref name="fill"/> and renames it
    /// into place, so that what was there is only ever replaced by a complete directory.</summary>
    public static void WriteDirectory(string directory, Action<string> fill)
    {
        var target = Path.GetFullPath(directory);
        var staging = target.TrimEnd('/') + $".{Guid.NewGuid():N}.partial";
        System.IO.Directory.CreateDirectory(staging);
        try
        {
            fill(staging);
            Replace(target, staging);
        }
        catch
        {
            if (System.IO.Directory.Exists(staging))
                System.IO.Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Tidies what a save killed part-way left in <paramref name="parent"/>: a staging directory
    /// (<c>X.*.partial</c>) is deleted; a replaced checkpoint (<c>X.*.old</c>) is deleted when X is in place,
    /// and renamed back to X when the kill came between the two renames of <see cref="Replace"/> — it is the
    /// last complete version.
    /// </summary>
    public static void RecoverInterruptedSaves(string parent)
    {
        if (!System.IO.Directory.Exists(parent))
            return;
        foreach (var old in System.IO.Directory.GetDirectories(parent, "*.old"))
        {
            var target = LeftoverTarget(old);
            if (target is null)
                continue;
            if (System.IO.Directory.Exists(target))
                System.IO.Directory.Delete(old, recursive: true);
            else
                System.IO.Directory.Move(old, target);
        }
        foreach (var staging in System.IO.Directory.GetDirectories(parent, "*.partial").Where(d => LeftoverTarget(d) is not null))
            System.IO.Directory.Delete(staging, recursive: true);
    }

    /// <summary>Whether <paramref name="directory"/> is what an interrupted save leaves (<c>X.{32 hex digits}.partial|old</c>),
    /// which <see cref="RecoverInterruptedSaves"/> tidies away: never a checkpoint to read, whatever it holds.</summary>
    public static bool IsLeftover(string directory) =>
        Path.GetExtension(directory) is ".partial" or ".old" && LeftoverTarget(directory) is not null;

    /// <summary>X for a leftover named <c>X.{32 hex digits}.partial|old</c>, else null (not ours).</summary>
    private static string? LeftoverTarget(string leftover)
    {
        var withoutSuffix = Path.GetFileNameWithoutExtension(leftover);
        var dot = withoutSuffix.LastIndexOf('.');
        return dot > 0 && withoutSuffix.Length - dot - 1 == 32 && Guid.TryParseExact(withoutSuffix[(dot + 1)..], "N", out _)
            ? Path.Combine(Path.GetDirectoryName(leftover)!, withoutSuffix[..dot])
            : null;
    }

    private static void Replace(string target, string staging)
    {
        if (!System.IO.Directory.Exists(target))
        {
            System.IO.Directory.Move(staging, target);
            return;
        }
        var old = target.TrimEnd('/') + $".{Guid.NewGuid():N}.old";
        System.IO.Directory.Move(target, old);
        System.IO.Directory.Move(staging, target);
        System.IO.Directory.Delete(old, recursive: true);
    }

    private static void WriteShards(string directory, IReadOnlyList<TensorData> tensors, long maxShardBytes)
    {
        var shards = new List<List<TensorData>> { new() };
        long size = 0;
        foreach (var t in tensors)
        {
            if (size > 0 && size + t.Bytes.Length > maxShardBytes)
            {
                shards.Add([]);
                size = 0;
            }
            shards[^1].Add(t);
            size += t.Bytes.Length;
        }
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        if (shards.Count == 1)
        {
            SafetensorsWriter.Write(Path.Combine(directory, SingleFile), tensors, metadata);
            return;
        }
        var weightMap = new JsonObject();
        for (var i = 0; i < shards.Count; i++)
        {
            var name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafetensorsWriter.Write(Path.Combine(directory, name), shards[i], metadata);
            foreach (var t in shards[i])
                weightMap[t.Name] = name;
        }
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = tensors.Sum(t => (long)t.Bytes.Length) },
            ["weight_map"] = weightMap,
        };
        File.WriteAllText(Path.Combine(directory, IndexFile), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static Dictionary<string, SafetensorsFile> OpenWeights(string directory, List<SafetensorsFile> opened)
    {
        var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        var indexPath = Path.Combine(directory, IndexFile);
        if (File.Exists(indexPath))
        {
            var shards = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, shardName) in ReadWeightMap(indexPath))
            {
                if (!shards.TryGetValue(shardName, out var shard))
                {
                    shard = SafetensorsFile.Open(ShardPath(indexPath, directory, shardName));
                    opened.Add(shard);
                    shards[shardName] = shard;
                }
                if (!shard.Tensors.ContainsKey(tensor))
                    throw new CheckpointFormatException(indexPath, $"weight_map puts '{tensor}' in {shardName}, which has no such tensor");
                fileOf[tensor] = shard;
            }
            foreach (var shard in shards.Values)
                foreach (var name in shard.Tensors.Keys.Where(n => !fileOf.ContainsKey(n)))
                    throw new CheckpointFormatException(indexPath, $"tensor '{name}' of {Path.GetFileName(shard.Path)} is missing from weight_map");
            return fileOf;
        }
        var single = Path.Combine(directory, SingleFile);
        if (!File.Exists(single))
            throw new CheckpointFormatException(directory, $"no {SingleFile} or {IndexFile}");
        var file = SafetensorsFile.Open(single);
        opened.Add(file);
        foreach (var name in file.Tensors.Keys)
            fileOf[name] = file;
        return fileOf;
    }

    private static IEnumerable<(string Tensor, string Shard)> ReadWeightMap(string indexPath)
    {
        JsonNode? root;
        try { root = StrictJson.ParseNode(File.ReadAllText(indexPath)); }
        catch (JsonException e) { throw new CheckpointFormatException(indexPath, $"not valid JSON: {e.Message}"); }
        if (root?["weight_map"] is not JsonObject map)
            throw new CheckpointFormatException(indexPath, "missing object 'weight_map'");
        foreach (var (tensor, value) in map)
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out var shard))
                throw new CheckpointFormatException(indexPath, $"weight_map['{tensor}'] is not a file name");
            yield return (tensor, shard);
        }
    }

    // Shard names come from an untrusted file: they must name a file inside the checkpoint directory.
    private static string ShardPath(string indexPath, string directory, string shardName)
    {
        var root = Path.GetFullPath(directory).TrimEnd('/') + "/";
        var full = Path.GetFullPath(Path.Combine(directory, shardName));
        if (Path.IsPathRooted(shardName) || !full.StartsWith(root, StringComparison.Ordinal))
            throw new CheckpointFormatException(indexPath, $"shard '{shardName}' lies outside the checkpoint directory");
        return full;
    }

    private static void CheckAgainstConfig(string directory, ModelConfig config, Dictionary<string, SafetensorsFile> fileOf)
    {
        var expected = ExpectedTensors.For(config);
        foreach (var spec in expected)
        {
            if (!fileOf.TryGetValue(spec.Name, out var file))
                throw new CheckpointFormatException(directory, $"missing tensor '{spec.Name}' (shape [{string.Join(", ", spec.Shape)}]) required by config.json");
            var entry = file[spec.Name];
            if (!entry.Shape.SequenceEqual(spec.Shape))
                throw new CheckpointFormatException(file.Path, $"tensor '{spec.Name}' has shape [{string.Join(", ", entry.Shape)}], config.json requires [{string.Join(", ", spec.Shape)}]");
            if (entry.DType is not (SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16))
                throw new CheckpointFormatException(file.Path, $"tensor '{spec.Name}' has dtype {entry.DType}; expected F32, BF16 or F16");
        }
        var names = expected.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in fileOf.Keys.Where(n => !names.Contains(n) && !ExpectedTensors.IsIgnorable(n, config)))
            throw new CheckpointFormatException(fileOf[name].Path, $"unexpected tensor '{name}' for a {config.Architecture} with this config");
    }
}
