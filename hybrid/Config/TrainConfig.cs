using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using System.Text.Json.Serialization;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Hybrid.Config;

/// <summary>
/// The <c>train</c> config file: what to train, on which data, scored by which aligned models, and the
/// hyper-parameters (<see cref="Training"/>). Each option is declared once, here or on
/// <see cref="TrainingOptions"/>; <see cref="TrainOptions"/> derives the flags, help and the table in docs/training.md.
/// Paths are relative to the config file.
/// </summary>
public sealed record TrainConfig
{
    [TrainOption("checkpoint to start from; its tokenizer.json tokenizes the target's data (on resume the checkpoint resumed is the model)", IsPath = true)]
    [JsonPropertyName("model")] public string Model { get; init; } = "";

    [TrainOption("the target's chat template, as in the manifest: its own Jinja chat_template (auto), a jinja file, or a preset family", Flag = "")]
    [JsonPropertyName("template")] public ChatTemplateSpec Template { get; init; } = new(ChatTemplateSpec.Auto);

    [TrainOption("tokens per sample, template included")]
    [JsonPropertyName("max_length")] public int MaxLength { get; init; } = 1024;

    [TrainOption("longer samples: error, truncate-prompt or truncate-response")]
    [JsonPropertyName("truncation")] public TruncationPolicy Truncation { get; init; } = TruncationPolicy.TruncatePrompt;

    [TrainOption("SFT data (JSONL or Parquet)", IsPath = true, ByContent = true)]
    [JsonPropertyName("train_data")] public string TrainData { get; init; } = "";

    [TrainOption("the data's layout (docs/data.md): auto (from the first record), messages, sharegpt, prompt-response, alpaca, dolly; preference data: pair-strings, trl-conversational, whole-conversations, hh")]
    [JsonPropertyName("data_format")] public string DataLayout { get; init; } = PoFT.Shared.Data.DataFormat.Auto;

    [TrainOption("field names of a layout not listed (docs/data.md, \"Column mapping\"): {\"messages\", \"role\", \"content\", \"weight\", \"roles\": {…}, \"prompt\", \"response\", \"system\", \"id\"}")]
    [JsonPropertyName("data_columns")] public ColumnMapping? DataColumns { get; init; }

    [TrainOption("the largest data record read, in MiB of its JSONL line or JSON array element: a longer one is a bad record at file:line, found before it is parsed or tokenized (docs/data.md)")]
    [JsonPropertyName("max_record_mb")] public int MaxRecordMb { get; init; } = PoFT.Shared.Data.DataFormat.DefaultMaxRecordMb;

    [TrainOption("skip (and list, with file:line and why) train_data's bad records and the samples the target's or an online aligned model's max_length and truncation cannot fit, instead of stopping")]
    [JsonPropertyName("skip_bad")] public bool SkipBad { get; init; }

    [TrainOption("held-out SFT data, evaluated at each epoch's end or every eval_every steps", IsPath = true, ByContent = true)]
    [JsonPropertyName("eval_data")] public string? EvalData { get; init; }

    [TrainOption("models manifest: the aligned models scoring online while training runs", IsPath = true, ByContent = true)]
    [JsonPropertyName("manifest")] public string? Manifest { get; init; }

    [TrainOption("a `score` output to read r̄ from instead of scoring online: a score file, or a folder of `score --shard` files, merged as `merge-scores` merges them; it must score every train_data sample, and all eval_data samples or none (then no held-out τ), checked before the first step", IsPath = true, ByContent = true)]
    [JsonPropertyName("scores")] public string? Scores { get; init; }

    [TrainOption("held-out preference data (DPO; JSONL or Parquet): the held-out pairs' loss, rewards and preference accuracy at each evaluation", IsPath = true, ByContent = true)]
    [JsonPropertyName("eval_preference_data")] public string? EvalPreferenceData { get; init; }

    [TrainOption("DPO's reference model: an `export` directory (model.onnx with the target's tokenizer files), scored online; default: the starting checkpoint, exported to OUTPUT/reference/ once and reused on resume", IsPath = true, ByContent = true)]
    [JsonPropertyName("ref_model")] public string? RefModel { get; init; }

    [TrainOption("DPO: the reference's log-probs of the training pairs from a `score` output over train_data (one model), instead of scoring online", IsPath = true, ByContent = true)]
    [JsonPropertyName("ref_scores")] public string? RefScores { get; init; }

    [TrainOption("DPO with ref_scores: the reference's log-probs of the held-out pairs, a `score` output over eval_preference_data", IsPath = true, ByContent = true)]
    [JsonPropertyName("eval_ref_scores")] public string? EvalRefScores { get; init; }

    [TrainOption("run directory: metrics.jsonl, checkpoints/step-N/, final/", IsPath = true, OnResume = OnResume.Applied)]
    [JsonPropertyName("output")] public string Output { get; init; } = "runs/train";

    [TrainOption("cpu, cuda or cuda:N", OnResume = OnResume.Applied)]
    [JsonPropertyName("device")] public string Device { get; init; } = "cpu";

    [TrainOption("float32 or bfloat16 (default: float32 on CPU, bfloat16 on CUDA)", OnResume = OnResume.Applied)]
    [JsonPropertyName("dtype")] public string? Dtype { get; init; }

    [TrainOption("ONNX Runtime threads per aligned model while training runs beside it", OnResume = OnResume.Applied)]
    [JsonPropertyName("scorer_threads")] public int ScorerThreads { get; init; } = 1;

    [JsonPropertyName("training")] public TrainingOptions Training { get; init; } = new();

    /// <summary>How the data files are read: <see cref="DataLayout"/>, <see cref="DataColumns"/> and <see cref="MaxRecordMb"/>.</summary>
    [JsonIgnore] public DataFormat DataFormat => new(DataLayout, DataColumns) { MaxRecordMb = MaxRecordMb };

    /// <summary>The file this config was read from, for errors that name it; null when built in code.</summary>
    [JsonIgnore] public string? Source { get; init; }

    /// <summary>How errors about a field name where it came from.</summary>
    public string Describe(string field) => Source is null ? $"train config field '{field}'" : $"{Source}: field '{field}'";

    /// <summary>Reads a config file, with <paramref name="overrides"/> (command-line values by option) put
    /// in place of the file's values before it is parsed, so both pass the same checks.</summary>
    public static TrainConfig Load(string path, IReadOnlyDictionary<TrainOption, string>? overrides = null) =>
        TrainOptions.Load(path, overrides ?? new Dictionary<TrainOption, string>());
}
