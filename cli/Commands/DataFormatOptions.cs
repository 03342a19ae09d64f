using System.CommandLine;
using PoFT.Shared.Data;

namespace PoFT.Cli.Commands;

/// <summary><c>--data-format</c>, <c>--data-columns</c> and <c>--max-record-mb</c>, as <c>score</c>, <c>inspect</c> and <c>merge-scores</c> take
/// them: the train config's <c>data_format</c>, <c>data_columns</c> and <c>max_record_mb</c>, read by the same parsers
/// (<see cref="DataFormat.Of"/>, <see cref="ColumnMapping.Parse(string, string)"/>).</summary>
internal sealed class DataFormatOptions
{
    public Option<string> Layout { get; } = new("--data-format")
    {
        Description = $"the data's layout (docs/data.md): {string.Join(", ", DataFormat.Names)}",
        DefaultValueFactory = _ => DataFormat.Auto,
    };

    public Option<string?> Columns { get; } = new("--data-columns")
    {
        Description = "field names of a layout not listed, as a JSON object: {\"messages\", \"role\", \"content\", \"weight\", \"roles\": {…}, \"prompt\", \"response\", \"system\", \"id\"}",
    };

    public Option<int> MaxRecordMb { get; } = new("--max-record-mb")
    {
        Description = "the largest data record read, in MiB of its JSONL line or JSON array element: a longer one is a bad record at file:line (docs/data.md)",
        DefaultValueFactory = _ => DataFormat.DefaultMaxRecordMb,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Layout);
        command.Options.Add(Columns);
        command.Options.Add(MaxRecordMb);
    }

    public DataFormat Read(ParseResult parse)
    {
        var maxRecordMb = parse.GetValue(MaxRecordMb);
        if (maxRecordMb < 1)
            throw new FormatException($"--max-record-mb {maxRecordMb}: expected at least 1 (MiB)");
        return DataFormat.Of(parse.GetValue(Layout), parse.GetValue(Columns) is { } json ? ColumnMapping.Parse(json, "--data-columns") : null, "--data-format")
            with { MaxRecordMb = maxRecordMb };
    }
}
