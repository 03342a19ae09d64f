using System.Text.Json.Nodes;

namespace PoFT.Shared.Data;

/// <summary>One layout of SFT records: its name (as <c>data_format</c> takes it), what a record needs to be read in
/// it (errors list it), whether a record has its fields, and the reading of a record into messages.</summary>
internal sealed record SftLayout(string Name, string Needs, Func<JsonObject, bool> Fits,
    Action<JsonObject, ReadConversation, Func<string, DataFormatException>> Read);

/// <summary>
/// The SFT layouts, each as its source publishes it (docs/data.md, "SFT layouts"):
/// <list type="bullet">
/// <item><c>messages</c>: <c>{"messages": [{"role", "content"}]}</c>, TRL's conversational layout (UltraChat-200k);</item>
/// <item><c>sharegpt</c>: <c>{"conversations": [{"from", "value", "weight"?}]}</c>, ShareGPT and OpenHermes-2.5;</item>
/// <item><c>prompt-response</c>: <c>{"prompt", "response", "system"?}</c>, one turn;</item>
/// <item><c>alpaca</c>: <c>{"instruction", "input", "output"}</c> (tatsu-lab/alpaca);</item>
/// <item><c>dolly</c>: <c>{"instruction", "context", "response", "category"}</c> (databricks-dolly-15k).</item>
/// </list>
/// A column mapping renames the fields of the first three and adds roles; Alpaca's and Dolly's fields are fixed.
/// </summary>
public static class SftLayouts
{
    public const string Messages = "messages", ShareGpt = "sharegpt", PromptResponse = "prompt-response", Alpaca = "alpaca", Dolly = "dolly";

    public static IReadOnlyList<string> Names { get; } = [Messages, ShareGpt, PromptResponse, Alpaca, Dolly];

    /// <summary>What joins Alpaca's instruction and input (and Dolly's instruction and context) into one user turn:
    /// the blank line that separates the "### Instruction:" and "### Input:" sections of the Alpaca card's prompt
    /// template, whose section headers and preamble are the framing a chat template replaces.</summary>
    public const string InstructionInputSeparator = "\n\n";

    private static readonly Dictionary<string, string> OwnRoles = ChatMessage.Roles.ToDictionary(r => r, r => r);

    private static readonly Dictionary<string, string> ShareGptRoles = new()
    {
        ["system"] = ChatMessage.System, ["human"] = ChatMessage.User, ["user"] = ChatMessage.User,
        ["gpt"] = ChatMessage.Assistant, ["assistant"] = ChatMessage.Assistant,
    };

    internal static IReadOnlyList<SftLayout> For(ColumnMapping columns) =>
    [
        Conversation(Messages, new TurnKeys("messages", "role", "content", "weight", OwnRoles).MappedBy(columns)),
        Conversation(ShareGpt, new TurnKeys("conversations", "from", "value", "weight", ShareGptRoles).MappedBy(columns)),
        PromptAndResponse(columns.Prompt ?? "prompt", columns.Response ?? "response", columns.System ?? "system"),
        Instruction(Alpaca, "input", "output"),
        Instruction(Dolly, "context", "response"),
    ];

    private static SftLayout Conversation(string name, TurnKeys keys) => new(name, ConversationTurns.Describe(keys),
        record => record.ContainsKey(keys.Field),
        (record, into, bad) => ConversationTurns.Read(record[keys.Field] as JsonArray
            ?? throw bad($"field '{keys.Field}' must be a list of {{\"{keys.Role}\", \"{keys.Content}\"}} objects"), keys, into, bad));

    private static SftLayout PromptAndResponse(string prompt, string response, string system) => new(PromptResponse,
        $"'{prompt}' and '{response}', strings, and optional '{system}'",
        // 'response' alone (no 'instruction') is a prompt-response record missing its prompt, and told so.
        record => record.ContainsKey(prompt) || (record.ContainsKey(response) && !record.ContainsKey("instruction")),
        (record, into, bad) =>
        {
            if (record[system] is not null)
                into.Add(new ChatMessage(ChatMessage.System, RecordFields.Text(record, system, "record", bad)), () => $"'{system}'");
            into.Add(new ChatMessage(ChatMessage.User, RecordFields.Text(record, prompt, "record", bad)), () => $"'{prompt}'");
            into.Add(new ChatMessage(ChatMessage.Assistant, RecordFields.Text(record, response, "record", bad)), () => $"'{response}'");
        });

    /// <summary>Alpaca and Dolly: <c>instruction</c>, then the optional <paramref name="extra"/> field after a blank
    /// line (<see cref="InstructionInputSeparator"/>), as the user turn; <paramref name="answer"/> as the assistant's.</summary>
    private static SftLayout Instruction(string name, string extra, string answer) => new(name,
        $"'instruction' and '{answer}', strings, and optional '{extra}'",
        record => record.ContainsKey("instruction") && record.ContainsKey(answer),
        (record, into, bad) =>
        {
            var instruction = RecordFields.Text(record, "instruction", "record", bad);
            var more = record[extra] is null ? "" : RecordFields.Text(record, extra, "record", bad);
            var alone = string.IsNullOrWhiteSpace(more);
            into.Add(new ChatMessage(ChatMessage.User, alone ? instruction : instruction + InstructionInputSeparator + more),
                () => alone ? "'instruction'" : $"'instruction' + \"\\n\\n\" + '{extra}'");
            into.Add(new ChatMessage(ChatMessage.Assistant, RecordFields.Text(record, answer, "record", bad)), () => $"'{answer}'");
        });
}
