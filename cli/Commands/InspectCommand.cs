using System.CommandLine;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Scorer.Manifest;
using PoFT.Text.Chat;
using PoFT.Shared.Data;
using PoFT.Shared.Manifest;
using Spectre.Console;

namespace PoFT.Cli.Commands;

/// <summary><c>inspect</c>: what is scored — each sample as each aligned model (or the train config's target)
/// renders and tokenizes it, with the scored tokens marked.</summary>
public static class InspectCommand
{
    private const string Open = "⟦", Close = "⟧";

    public static Command Create()
    {
        var manifest = new Option<FileInfo>("--manifest") { Description = "models manifest", DefaultValueFactory = _ => new FileInfo("models-manifest.json") };
        var config = new Option<FileInfo?>("--config") { Description = "a train config: inspect its target model's template and tokenizer instead of the manifest's models" };
        var data = new Option<FileInfo?>("--data") { Description = "SFT or preference data (.jsonl, .json array or .parquet; a pair shows as its chosen and rejected samples); with --config, its train_data (and data_format, data_columns) by default" };
        var model = new Option<string?>("--model") { Description = "only this aligned model of the manifest" };
        var limit = new Option<int>("--limit") { Description = "samples shown (and written)", DefaultValueFactory = _ => 3 };
        var jsonl = new Option<FileInfo?>("--jsonl") { Description = "also write one line per sample and model: id, model, text, input_ids, response_mask" };
        var command = new Command("inspect", $"Show what is scored: each model's rendered text with the scored tokens marked ({Open}…{Close} or colour)")
        {
            manifest, config, data, model, limit, jsonl,
        };
        var dataFormat = new DataFormatOptions();
        dataFormat.AddTo(command);
        command.SetAction(parse =>
        {
            var count = parse.GetValue(limit);
            if (count < 1)
                throw new ArgumentException($"--limit {count}: expected at least 1");
            var train = parse.GetValue(config) is { } configFile ? TrainConfig.Load(configFile.FullName) : null;
            var (tokenizations, dataPath) = train is not null
                ? Target(train, parse.GetValue(data)?.FullName)
                : (Aligned(ModelsManifest.Load(parse.GetRequiredValue(manifest).FullName), parse.GetValue(model)),
                    parse.GetValue(data)?.FullName ?? throw new ArgumentException("--data is required with a manifest"));
            // A config's data_format and data_columns, unless the flags say otherwise.
            var flagged = parse.GetResult(dataFormat.Layout) is { Implicit: false } || parse.GetValue(dataFormat.Columns) is not null;
            var format = (train is null || flagged ? dataFormat.Read(parse) : train.DataFormat) with { KeepOrigins = true };
            var read = SampleData.Read(dataPath, format: format);
            Console.WriteLine($"data {dataPath}: layout {read.Layout}");
            var samples = read.Samples.Take(count).ToList();
            var records = new List<InspectionRecord>();
            foreach (var sample in samples)
            {
                ShowOrigins(sample);
                foreach (var (name, chat) in tokenizations)
                {
                    var inspected = chat.Inspect(sample);
                    Show(sample.Id, name, inspected);
                    records.Add(InspectionRecord.Of(name, inspected));
                }
            }
            if (parse.GetValue(jsonl) is { } output)
                InspectionFile.Write(output.FullName, records);
        });
        return command;
    }

    private static (IReadOnlyList<(string, ChatTokenizer)>, string) Target(TrainConfig config, string? data) =>
        ([("target", OnlineTraining.TargetTokenization(config, config.Model))], data ?? config.TrainData);

    /// <summary>The manifest's models, or only the one <paramref name="only"/> names: the others' tokenizers and
    /// templates are not opened, so a broken one elsewhere in the manifest does not stop inspecting this one.</summary>
    private static IReadOnlyList<(string, ChatTokenizer)> Aligned(ModelsManifest manifest, string? only)
    {
        if (only is null)
            return AlignedModelSet.OpenTokenizations(manifest, Console.Error.WriteLine);
        var chosen = manifest.Models.Where(m => m.Name == only).ToList();
        return chosen.Count > 0
            ? AlignedModelSet.OpenTokenizations(manifest with { Models = chosen }, Console.Error.WriteLine)
            : throw new ArgumentException($"--model '{only}': not in {manifest.Path} (models: {string.Join(", ", manifest.Names)})");
    }

    /// <summary>How the sample's messages were read from its record, one line per message.</summary>
    private static void ShowOrigins(SftSample sample)
    {
        Console.WriteLine($"── {sample.Id}: {sample.Messages.Count} messages");
        if (sample.Origins is { } origins)
            for (var i = 0; i < origins.Count; i++)
                Console.WriteLine($"   [{i}] {origins[i]}");
        else if (sample.ScoredFrom > 0)
            Console.WriteLine($"   [0..{sample.ScoredFrom - 1}] the prompt (the turns both completions share), [{sample.ScoredFrom}..] this completion");
    }

    /// <summary>Written as it is (no wrapping: a line break shown must be one in the text); scored runs in bold
    /// green on a colour terminal, between brackets otherwise.</summary>
    private static void Show(string id, string model, InspectedSample sample)
    {
        Console.WriteLine($"── {id} · {model}: {sample.PromptTokens} prompt tokens, {sample.ResponseTokens} scored");
        var colour = AnsiConsole.Profile.Capabilities.Ansi;
        foreach (var (text, scored) in sample.Runs())
            Console.Write(!scored ? text : colour ? $"\u001b[1;32m{text}\u001b[0m" : Open + text + Close);
        Console.WriteLine();
    }
}
