using System.CommandLine;
using PoFT.Scorer;

namespace PoFT.Cli.Commands;

/// <summary><c>merge-scores</c>: the score files of a sharded run (<c>score --shard i/N</c>, or an Indexed
/// Job's pods) checked and written as one, in data order.</summary>
public static class MergeScoresCommand
{
    public static Command Create()
    {
        var shards = new Argument<string[]>("shards") { Description = "the shards' score files, or folders holding them", Arity = ArgumentArity.OneOrMore };
        var data = new Option<FileInfo>("--data") { Description = "the data file the shards scored (checked by SHA-256; orders the records)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "score file to write (.msgpack or .jsonl); must not exist", Required = true };
        var command = new Command("merge-scores", "Merge the score files of `score --shard i/N`, i = 0..N−1, into one score file in data order")
        {
            shards, data, output,
        };
        var dataFormat = new DataFormatOptions();
        dataFormat.AddTo(command);
        command.SetAction(parse =>
        {
            var target = parse.GetRequiredValue(output).FullName;
            var merged = ScoreMerge.Run(parse.GetRequiredValue(shards), parse.GetRequiredValue(data).FullName, target, dataFormat.Read(parse));
            Console.WriteLine($"wrote {target}: {merged.Records.Count} records from {merged.Files.Count} shards");
        });
        return command;
    }
}
