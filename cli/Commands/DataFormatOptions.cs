using System.CommandLine;
using PoFT.Shared.Data;

namespace PoFT.Cli.Commands;

/// <summary><c>--data-format</c> and <c>--data-columns</c>, as <c>score</c>, <c>inspect</c> and <c>merge-scores</c> take
/// them: the train config's <c>data_format</c> and <c>data_columns</c>, read by the same parsers
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

    public void AddTo(Command command)
    {
        command.Options.Add(Layout);
        command.Options.Add(Columns);
    }

    public DataFormat Read(ParseResult parse) => DataFormat.Of(parse.GetValue(Layout),
        parse.GetValue(Columns) is { } json ? ColumnMapping.Parse(json, "--data-columns") : null, "--data-format");
}
