namespace PoFT.Shared.Data;

/// <summary>A record's messages as a layout reads them: which assistant turns are context (weight 0), and —
/// when asked (<see cref="DataFormat.KeepOrigins"/>) — where each message came from in the record.</summary>
internal sealed class ReadConversation(bool keepOrigins)
{
    public List<ChatMessage> Messages { get; } = [];
    public List<int>? Context { get; private set; }
    public List<string>? Origins { get; } = keepOrigins ? [] : null;

    /// <param name="origin">How the message was read, e.g. <c>conversations[1] (from 'gpt')</c>; built only when kept.</param>
    public void Add(ChatMessage message, Func<string> origin, bool context = false)
    {
        if (context)
            (Context ??= []).Add(Messages.Count);
        Messages.Add(message);
        Origins?.Add($"{origin()} → {message.Role}{(context ? " (context: weight 0, not trained or scored)" : "")}");
    }
}
