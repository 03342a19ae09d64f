using System.CommandLine;
using PoFT.Scorer.Quality;

namespace PoFT.Cli.Commands;

/// <summary><c>filter</c>: the samples of a data file kept by their scores (r̄ or IFD), written as a data file of the same layout.</summary>
public static class FilterCommand
{
    public static Command Create()
    {
        var scores = new Option<FileInfo>("--scores") { Description = "score file of the data (score, or merge-scores of its shards); IFD needs `score --ifd`", Required = true };
        var data = new Option<FileInfo>("--data") { Description = "the SFT data that was scored (.jsonl, .json array or .parquet)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "data file to write, same kind as --data; must not exist (nor OUT.filter.json, its provenance)", Required = true };
        var keepTop = new Option<double?>("--keep-top") { Description = "keep the best P % of samples by --by (⌈n·P/100⌉, ties by file order)" };
        var rbarAbove = new Option<double?>("--rbar-above") { Description = "keep the samples whose r̄ is above X" };
        var ifdBelow = new Option<double?>("--ifd-below") { Description = "keep the samples whose IFD (mean over models) is below X" };
        var by = new Option<FilterScore>("--by") { Description = "what --keep-top ranks by: rbar (highest kept) or ifd (lowest kept)", DefaultValueFactory = _ => FilterScore.Rbar };
        var command = new Command("filter", "Write the samples of a data file that their scores keep (top P % by r̄ or IFD, or a threshold), in the same layout")
        {
            scores, data, output, keepTop, rbarAbove, ifdBelow, by,
        };
        var dataFormat = new DataFormatOptions();
        dataFormat.AddTo(command);
        command.SetAction(parse =>
        {
            var criterion = FilterCriterion.Of(parse.GetValue(keepTop), parse.GetValue(rbarAbove), parse.GetValue(ifdBelow), parse.GetValue(by));
            var target = parse.GetRequiredValue(output).FullName;
            var (kept, of) = DataFilterRun.Run(parse.GetRequiredValue(scores).FullName, parse.GetRequiredValue(data).FullName, target, criterion, dataFormat.Read(parse));
            Console.WriteLine($"wrote {target}: {kept} of {of} samples ({criterion}); provenance {DataFilterRun.SidecarOf(target)}");
        });
        return command;
    }
}
