using System.CommandLine;
using PoFT.Shared.Data;

namespace PoFT.Cli.Commands;

/// <summary><c>chat</c>: a conversation with a checkpoint, a user message per line of standard input; the whole
/// conversation so far is the prompt of each answer.</summary>
public static class ChatCommand
{
    public const string Reset = "/reset", Exit = "/exit";

    public static Command Create()
    {
        var options = new GenerationOptions();
        var system = new Option<string>("--system") { Description = "a system message that opens the conversation" };
        var command = new Command("chat", $"Chat with a checkpoint: one user message per line; {Reset} starts over, {Exit} or end of input ends") { system };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var sampling = options.Sampling(parse);
            using var chat = options.Open(parse);
            var opening = parse.GetValue(system) is { } text ? new[] { new ChatMessage(ChatMessage.System, text) } : [];
            var conversation = new List<ChatMessage>(opening);
            var interactive = !Console.IsInputRedirected;
            while (true)
            {
                if (interactive)
                    Console.Write("> ");
                var line = Console.ReadLine();
                if (line is null || line.Trim() == Exit)
                    break;
                if (line.Trim() == Reset)
                {
                    conversation = [.. opening];
                    continue;
                }
                if (line.Trim().Length == 0)
                    continue;
                conversation.Add(new ChatMessage(ChatMessage.User, line));
                var answer = chat.Answer(conversation, sampling);
                // An empty answer (end of turn at once) cannot be a turn of the conversation: chat templates and the
                // data rules refuse empty messages, so the exchange is left out of what follows.
                if (answer.Text.Length == 0)
                    conversation.RemoveAt(conversation.Count - 1);
                else
                    conversation.Add(new ChatMessage(ChatMessage.Assistant, answer.Text));
                Console.WriteLine(answer.Text);
            }
        });
        return command;
    }
}
