using System.Text;
using PoFT.Checkpoints;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using PoFT.Shared.Scoring;
using PoFT.Text.Jinja;
using PoFT.Text.Tokenizers;

namespace PoFT.Fuzz;

/// <summary>
/// One target per entry point that reads bytes a user hands over: each reads an input the way the CLI reads that
/// kind of file, and uses what it read as the CLI would next (renders the template, encodes with the tokenizer,
/// reads the tensors). Where one target covers several formats, the input's first byte picks the format.
/// </summary>
public static class Targets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["jinja"] = Jinja,
        ["data"] = Data,
        ["tokenizer"] = Tokenizer,
        ["config"] = Config,
        ["safetensors"] = Safetensors,
        ["manifest"] = Manifest,
        ["score"] = Score,
    };

    private static readonly TimeProvider FixedClock = new FixedTime();

    /// <summary>A chat template: lexed, parsed and rendered over a short conversation, as apply_chat_template does.</summary>
    private static void Jinja(byte[] input)
    {
        // The default sandbox but for time: 2 s instead of 10, so a render that runs to the time limit stays well
        // inside AFL++'s hang timeout (scripts/fuzz.sh: 10 s) and only a render that ignores the limit is a hang.
        // Made here, not in a static field: instrumented code must not run before SharpFuzz's loop has started.
        var limits = SandboxLimits.Default with { MaxRenderTime = TimeSpan.FromSeconds(2) };
        var template = ChatTemplate.Parse(Encoding.UTF8.GetString(input), "fuzz.jinja", FixedClock, limits);
        template.Render(new Dictionary<string, object?>
        {
            ["messages"] = new List<Dictionary<string, object?>>
            {
                new() { ["role"] = "system", ["content"] = "Be brief." },
                new() { ["role"] = "user", ["content"] = "Hi <b>there</b>" },
                new() { ["role"] = "assistant", ["content"] = "Hello!" },
                new() { ["role"] = "user", ["content"] = "What is 2 + 2?" },
            },
            ["add_generation_prompt"] = true,
            ["bos_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["tools"] = null,
        });
    }

    private static readonly string[] DataExtensions = [".jsonl", ".json", ".parquet"];

    /// <summary>A data file: byte 0 picks .jsonl, .json or .parquet (mod 3) and --skip-bad (bit 2); the rest is the
    /// file, read as preference pairs or SFT samples as the CLI decides.</summary>
    private static void Data(byte[] input)
    {
        if (input.Length == 0)
            return;
        var path = Scratch.File("data" + DataExtensions[input[0] % 3], input.AsSpan(1));
        var skipBad = (input[0] & 4) != 0;
        if (PreferenceDataSet.IsPreferenceFile(path))
            _ = PreferenceDataSet.Read(path, skipBad).AsSamples();
        else
            _ = SftDataSet.Read(path, skipBad);
    }

    /// <summary>A tokenizer.json in a model directory: loaded, then used to encode and decode a short text.</summary>
    private static void Tokenizer(byte[] input)
    {
        var directory = Scratch.Directory("model");
        File.WriteAllBytes(Path.Combine(directory, HfTokenizerJson.FileName), input);
        var tokenizer = TokenizerLoader.LoadFromModelDirectory(directory);
        var encoded = tokenizer.Encode("Hello, world! <s> 12345 naïve 😀\n\tend");
        _ = tokenizer.Decode(encoded.Ids);
    }

    private static void Config(byte[] input) => ModelConfig.Load(Scratch.File("config.json", input));

    /// <summary>A safetensors file: its header validated, then every tensor of up to 1 MiB read, as fp32 where it is a float.</summary>
    private static void Safetensors(byte[] input)
    {
        using var file = SafetensorsFile.Open(Scratch.File("model.safetensors", input));
        foreach (var entry in file.Tensors.Values.Where(e => e.End - e.Begin <= 1 << 20))
        {
            _ = file.ReadBytes(entry);
            if (entry.DType is SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16)
                _ = file.ReadFloat32(entry);
        }
    }

    /// <summary>A models manifest, beside an (empty) model.onnx so that a manifest naming it gets past the file check.</summary>
    private static void Manifest(byte[] input)
    {
        Scratch.File("model.onnx", []);
        ModelsManifest.Load(Scratch.File("models-manifest.json", input));
    }

    /// <summary>A score file: byte 0 picks .jsonl or .msgpack (mod 2); the rest is the file, read whole and as a
    /// resumable prefix.</summary>
    private static void Score(byte[] input)
    {
        if (input.Length == 0)
            return;
        var path = Scratch.File(input[0] % 2 == 0 ? "scores.jsonl" : "scores.msgpack", input.AsSpan(1));
        _ = ScoreFile.ReadValidPrefix(path);
        _ = ScoreFile.Read(path);
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    }
}
