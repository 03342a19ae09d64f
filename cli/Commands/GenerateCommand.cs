using System.CommandLine;
using System.Text.Json.Nodes;
using PoFT.Generation;
using PoFT.Shared;
using PoFT.Shared.Data;
using PoFT.Text.Chat;

namespace PoFT.Cli.Commands;

/// <summary><c>generate</c>: a checkpoint's answers to one prompt or to each conversation of a data file.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var options = new GenerationOptions();
        var prompt = new Option<string>("--prompt") { Description = "one user message to answer" };
        var data = new Option<FileInfo>("--data") { Description = "SFT data (any layout train reads): each conversation up to its last user turn is answered; the assistant turn after it is the reference" };
        var output = new Option<FileInfo>("--out") { Description = "write the answers as JSONL (id, prompt messages, reference, answer, tokens, stop) instead of printing them" };
        var command = new Command("generate", "Answer prompts with a checkpoint, rendered with its chat template (greedy at temperature 0)") { prompt, data, output };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var text = parse.GetValue(prompt);
            var file = parse.GetValue(data);
            if ((text is null) == (file is null))
                throw new PoftUserException("generate: give exactly one of --prompt TEXT and --data FILE");
            var sampling = options.Sampling(parse);
            var prompts = text is not null ? [new PromptToAnswer("prompt", [new ChatMessage(ChatMessage.User, text)], null)] : Prompts(file!.FullName);
            using var chat = options.Open(parse);
            var lines = new List<string>();
            foreach (var p in prompts)
            {
                var answer = chat.Answer(p.Messages, sampling);
                if (parse.GetValue(output) is null)
                    Console.WriteLine(prompts.Count == 1 ? answer.Text : $"[{p.Id}] {answer.Text}");
                lines.Add(Line(p, answer).ToJsonString());
            }
            if (parse.GetValue(output) is { } outFile)
            {
                AtomicFile.WriteAllText(outFile.FullName, string.Concat(lines.Select(l => l + "\n")));
                Console.WriteLine($"wrote {outFile.FullName}: {lines.Count} answers");
            }
        });
        return command;
    }

    private static List<PromptToAnswer> Prompts(string path) => [.. SftDataSet.Read(path).Samples.Select(PromptToAnswer.Of)];

    private static JsonObject Line(PromptToAnswer prompt, GeneratedAnswer answer) => new()
    {
        ["id"] = prompt.Id,
        ["messages"] = new JsonArray([.. prompt.Messages.Select(m => new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]),
        ["reference"] = prompt.Reference,
        ["answer"] = answer.Text,
        ["tokens"] = answer.Tokens.Count,
        ["stop"] = answer.Stop == StopReason.EndOfTurn ? "end_of_turn" : "max_new_tokens",
    };
}
