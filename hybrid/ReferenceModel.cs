using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Exporter;
using PoFT.Hybrid.Config;
using PoFT.Shared;
using PoFT.Checkpoints;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Text.Tokenizers;

namespace PoFT.Hybrid;

/// <summary>
/// DPO's frozen reference model as the scorer runs it: an ONNX export, opened as a one-model manifest with the
/// target's chat template, max_length and truncation, and its own copy of the target's tokenizer files —
/// so that the reference scores exactly the completion tokens the policy trains on. By default the export is
/// of the run's starting checkpoint, made once into the run directory and reused on resume; it records the
/// checkpoint's content, and a resume against another is refused rather than scored with the wrong reference.
/// </summary>
public static class ReferenceModel
{
    public const string Name = "reference";
    public const string Folder = "reference";
    public const string SourceFile = "reference_source.json";

    /// <returns>The export directory to score with.</returns>
    public static string Prepare(TrainConfig config, Action<string> note)
    {
        if (config.RefModel is { } given)
        {
            if (!File.Exists(Path.Combine(given, ScoringGraph.ModelFile)))
                throw new FileNotFoundException($"{config.Describe("ref_model")}: {given} holds no {ScoringGraph.ModelFile}; give a directory written by `export`");
            RequireSameTokenizer(given, config.Model, config.Describe("ref_model"));
            return given;
        }
        var directory = Path.Combine(config.Output, Folder);
        var checkpoint = FileHash.Sha256OfFolder(config.Model);
        var source = Path.Combine(directory, SourceFile);
        if (File.Exists(source))
        {
            var recorded = JsonNode.Parse(File.ReadAllText(source))?["checkpoint_sha256"]?.GetValue<string>();
            if (recorded != checkpoint)
                throw new InvalidDataException($"{source}: the reference was exported from a checkpoint whose content ({recorded}) differs from " +
                    $"{config.Describe("model")}'s ({checkpoint}); DPO's reference must be the run's starting point. Start a new run, or give ref_model");
            return directory;
        }
        note($"DPO reference: exporting the starting checkpoint {config.Model} to {directory} (reused on resume)");
        var staging = directory + ".partial";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        LlamaOnnxExporter.Export(config.Model, staging, new ExportOptions());
        AtomicFile.WriteAllText(Path.Combine(staging, SourceFile),
            new JsonObject { ["checkpoint"] = Path.GetFullPath(config.Model), ["checkpoint_sha256"] = checkpoint }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Directory.Move(staging, directory);
        return directory;
    }

    /// <summary>The export as the scorer opens aligned models: a manifest of one, kept in memory.</summary>
    public static ModelsManifest Manifest(TrainConfig config, string exportDirectory) =>
        new(Path.Combine(Path.GetFullPath(exportDirectory), "reference-manifest.json"),
            [new AlignedModelSpec(Name, ScoringGraph.ModelFile, TokenizerLoader.SpecForModelDirectory(exportDirectory), config.Template, config.MaxLength, config.Truncation)]);

    /// <summary>A score file's records as the reference's: those of one model. That it tokenized as the target
    /// does is checked as training reads them: every completion's token count must be the policy's.</summary>
    public static IReadOnlyList<ScoreRecord> ReadScores(string path, TrainConfig config, string field)
    {
        var records = ScoreShardSet.ReadFileOrShards(path);
        var models = records.Count == 0 ? [] : records[0].Models.Select(m => m.Name).ToList();
        if (models.Count != 1)
            throw new InvalidDataException($"{config.Describe(field)}: {path} holds the scores of {models.Count} models ([{string.Join(", ", models)}]); " +
                "DPO has one reference: score the preference data with a manifest of the reference model alone");
        RequireScoredFrom(path, config, field);
        return records;
    }

    /// <summary>Reference scores must come from the preference file the run trains (or evaluates) on: their provenance
    /// records the scored file's SHA-256, checked here before any step, so scores of other data are refused naming both
    /// files — not found a sample at a time, or after training steps, as "no score for sample …". A score file without
    /// its provenance (written by hand) is taken as it is.</summary>
    private static void RequireScoredFrom(string path, TrainConfig config, string field)
    {
        var (dataField, data) = field == "ref_scores" ? ("train_data", config.TrainData) : ("eval_preference_data", config.EvalPreferenceData);
        var sidecar = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.provenance.json").Order(StringComparer.Ordinal).FirstOrDefault()
            : ScoreProvenance.PathOf(path);
        if (data is null || sidecar is null || !File.Exists(sidecar) || !File.Exists(data))
            return;
        var scored = ScoreProvenance.Read(sidecar).Data;
        var sha = FileHash.Sha256(data);
        if (!string.Equals(scored.Sha256, sha, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{config.Describe(field)}: {path} scored {scored.File} (SHA-256 {scored.Sha256[..12]}…, its {sidecar}), " +
                $"not {dataField} {data} (SHA-256 {sha[..12]}…): score the preference data this run uses with the reference model");
    }

    /// <summary>The reference must tokenize as the target does: the same tokenizer files, byte for byte.</summary>
    private static void RequireSameTokenizer(string reference, string target, string field)
    {
        foreach (var name in Checkpoint.TokenizerFiles)
        {
            var (mine, theirs) = (Path.Combine(reference, name), Path.Combine(target, name));
            var (hasMine, hasTheirs) = (File.Exists(mine), File.Exists(theirs));
            if (hasMine != hasTheirs || hasMine && FileHash.Sha256(mine) != FileHash.Sha256(theirs))
                throw new InvalidDataException($"{field}: its {name} {(hasMine ? hasTheirs ? "differs from" : "is not in" : "is missing, but is in")} the target's ({target}): " +
                    "DPO's reference and policy must share the tokenizer and chat template");
        }
    }
}
