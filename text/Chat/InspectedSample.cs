namespace PoFT.Text.Chat;

/// <summary>One kept token of a tokenized sample: its id, its character range in the rendered text, and
/// whether its log-probability counts in the score.</summary>
public sealed record InspectedToken(int Id, int Start, int End, bool Scored);

/// <summary>A sample as one model scores it (<see cref="Tokenized"/>), with the text its template rendered
/// and where each kept token lies in it.</summary>
public sealed record InspectedSample(TokenizedSample Tokenized, string Text, IReadOnlyList<InspectedToken> Tokens)
{
    public int ResponseTokens => Tokens.Count(t => t.Scored);
    public int PromptTokens => Tokens.Count - ResponseTokens;

    /// <summary>The rendered text as runs of prompt and scored characters, in order: a scored token covers its
    /// characters up to the next token's start.</summary>
    public IEnumerable<(string Text, bool Scored)> Runs()
    {
        var position = Tokens.Count > 0 ? Tokens[0].Start : 0;
        if (position > 0)
            yield return (Text[..position], false);
        for (var i = 0; i < Tokens.Count;)
        {
            var scored = Tokens[i].Scored;
            var j = i;
            while (j < Tokens.Count && Tokens[j].Scored == scored)
                j++;
            var end = j < Tokens.Count ? Tokens[j].Start : Text.Length;
            if (end > position)
                yield return (Text[position..end], scored);
            position = Math.Max(position, end);
            i = j;
        }
    }
}
