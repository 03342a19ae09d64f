using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using static TorchSharp.torch;

namespace PoFT.Trainer.Model.Lora;

/// <summary>
/// A LoRA run's checkpoint in PEFT's layout: <c>adapter_config.json</c> (PEFT's <c>LoraConfig</c> keys, the base
/// named by its absolute path in <c>base_model_name_or_path</c>) and <c>adapter_model.safetensors</c> (the fp32
/// lora_A / lora_B weights under the names PEFT saves), without a copy of the base weights.
/// </summary>
public static class LoraCheckpoint
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the model's adapter, the tokenizer files and <paramref name="writeExtra"/>'s files; the
    /// directory is replaced only by a complete one.</summary>
    public static void Save(LlamaForCausalLM model, string directory, string? tokenizerDirectory, Action<string>? writeExtra = null)
    {
        var lora = model.Lora ?? throw new InvalidOperationException("the model has no LoRA adapter to save");
        var tensors = lora.Weights.Select(w => ToTensorData(w.Name, w.Weight)).ToList();
        Checkpoint.WriteDirectory(directory, staging =>
        {
            File.WriteAllText(Path.Combine(staging, Checkpoint.AdapterConfigFile), AdapterConfig(lora).ToJsonString(Indented));
            SafetensorsWriter.Write(Path.Combine(staging, Checkpoint.AdapterWeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
            Checkpoint.CopyTokenizerFiles(tokenizerDirectory, staging);
            BaseFingerprint.Write(staging, lora.BaseModel, lora.BaseSha256);
            writeExtra?.Invoke(staging);
        });
    }

    /// <summary>The base named by the adapter's config (or <paramref name="baseOverride"/>) with the adapter
    /// attached, unmerged.</summary>
    /// <exception cref="CheckpointFormatException">The config is not a LoRA config this model can run, the base is
    /// missing, or a tensor is missing, unexpected or of another shape than the base needs.</exception>
    public static LlamaForCausalLM Load(string directory, Placement placement, string? baseOverride = null)
    {
        var configPath = Path.Combine(directory, Checkpoint.AdapterConfigFile);
        var (options, recordedBase) = ReadConfig(configPath);
        var baseModel = Path.GetFullPath(baseOverride ?? recordedBase);
        if (!File.Exists(Path.Combine(baseModel, Checkpoint.ConfigFile)))
            throw new CheckpointFormatException(configPath, $"base_model_name_or_path: no checkpoint at {baseModel}; the adapter needs the base it " +
                "was trained on there" + (baseOverride is null ? " (poft merge takes it with --base)" : ""));
        var model = ModelCheckpoint.LoadWhole(baseModel, placement);
        try
        {
            var lora = model.AttachLora(options, baseModel, seed: 0);
            var weightsPath = Path.Combine(directory, Checkpoint.AdapterWeightsFile);
            using var file = SafetensorsFile.Open(weightsPath);
            var expected = lora.Weights.ToList();
            using (no_grad())
            {
                foreach (var (name, weight) in expected)
                {
                    if (!file.Tensors.TryGetValue(name, out var entry))
                        throw new CheckpointFormatException(weightsPath, $"missing tensor '{name}' (shape [{string.Join(", ", weight.shape)}]), " +
                            $"which target_modules {string.Join(", ", options.TargetModules)} and the base at {baseModel} call for");
                    if (!entry.Shape.SequenceEqual(weight.shape))
                        throw new CheckpointFormatException(weightsPath, $"tensor '{name}' has shape [{string.Join(", ", entry.Shape)}]; " +
                            $"r = {options.R} and the base at {baseModel} need [{string.Join(", ", weight.shape)}]");
                    using var values = tensor(file.ReadFloat32(entry)).reshape(entry.Shape);
                    weight.copy_(values);
                }
            }
            var names = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            if (file.Tensors.Keys.FirstOrDefault(n => !names.Contains(n)) is { } unexpected)
                throw new CheckpointFormatException(weightsPath, $"unexpected tensor '{unexpected}': not a lora_A or lora_B weight of a targeted projection of the base at {baseModel}");
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>PEFT's LoraConfig as it saves it, for what this trainer does: plain LoRA on the named projections
    /// of every layer, no bias, no DoRA, for inference once loaded.</summary>
    private static JsonObject AdapterConfig(LoraAdapter lora) => new()
    {
        ["peft_type"] = "LORA",
        ["task_type"] = "CAUSAL_LM",
        ["base_model_name_or_path"] = lora.BaseModel,
        ["revision"] = null,
        ["inference_mode"] = true,
        ["r"] = lora.Options.R,
        ["lora_alpha"] = lora.Options.Alpha,
        ["lora_dropout"] = lora.Options.Dropout,
        ["target_modules"] = new JsonArray([.. lora.Options.TargetModules.Select(m => JsonValue.Create(m))]),
        ["exclude_modules"] = null,
        ["fan_in_fan_out"] = false,
        ["bias"] = "none",
        ["use_rslora"] = lora.Options.UseRslora,
        ["use_dora"] = false,
        ["init_lora_weights"] = true,
        ["modules_to_save"] = null,
        ["layers_to_transform"] = null,
        ["layers_pattern"] = null,
        ["rank_pattern"] = new JsonObject(),
        ["alpha_pattern"] = new JsonObject(),
        ["lora_bias"] = false,
        ["auto_mapping"] = null,
    };

    private static (LoraOptions Options, string BaseModel) ReadConfig(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointFormatException(path, "not found: not a LoRA adapter directory");
        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CheckpointFormatException(path, "expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"not valid JSON: {e.Message}");
        }
        Require(path, config, "peft_type", "LORA", required: true);
        Require(path, config, "bias", "none");
        Require(path, config, "use_dora", false);
        Require(path, config, "fan_in_fan_out", false);
        foreach (var unsupported in new[] { "layers_to_transform", "modules_to_save", "exclude_modules" })
            if (config[unsupported] is not null)
                throw new CheckpointFormatException(path, $"{unsupported}: this trainer runs adapters on every layer and saves no other modules; expected null");
        foreach (var perModule in new[] { "rank_pattern", "alpha_pattern" })
            if (config[perModule] is JsonObject { Count: > 0 })
                throw new CheckpointFormatException(path, $"{perModule}: per-module ranks and alphas are not supported; expected {{}}");
        try
        {
            var options = new LoraOptions
            {
                R = Value<int>(path, config, "r"),
                Alpha = Value<double>(path, config, "lora_alpha"),
                Dropout = config["lora_dropout"] is null ? 0 : Value<double>(path, config, "lora_dropout"),
                TargetModules = config["target_modules"] is JsonArray modules
                    ? [.. modules.Select(m => m is JsonValue v && v.TryGetValue<string>(out var name) ? name : throw new CheckpointFormatException(path, "target_modules: expected a list of names"))]
                    : throw new CheckpointFormatException(path, "target_modules: expected a list of projection names (a pattern is not supported)"),
                UseRslora = config["use_rslora"] is not null && Value<bool>(path, config, "use_rslora"),
            };
            options.Validate();
            return (options, Value<string>(path, config, "base_model_name_or_path"));
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, e.Message.Replace("training.lora.", "", StringComparison.Ordinal));
        }
    }

    private static T Value<T>(string path, JsonObject config, string key) =>
        config[key] is JsonValue value && value.TryGetValue<T>(out var result) ? result
            : throw new CheckpointFormatException(path, $"{key}: expected {(typeof(T) == typeof(string) ? "a string" : typeof(T) == typeof(bool) ? "true or false" : "a number")}, found {config[key]?.ToJsonString() ?? "nothing"}");

    private static void Require<T>(string path, JsonObject config, string key, T expected, bool required = false)
    {
        if (config[key] is null && !required)
            return;
        if (!EqualityComparer<T>.Default.Equals(Value<T>(path, config, key), expected))
            throw new CheckpointFormatException(path, $"{key}: {config[key]!.ToJsonString()} is not supported; expected {JsonSerializer.Serialize(expected)}");
    }

    private static TensorData ToTensorData(string name, Tensor value)
    {
        using var cpu = value.detach().cpu().to(ScalarType.Float32).contiguous();
        return new TensorData(name, SafetensorsDType.F32, cpu.shape, cpu.bytes.ToArray());
    }
}
