using PoFT.Checkpoints;
using PoFT.Text.Chat;
using PoFT.Text.Tokenizers;

namespace PoFT.Generation;

/// <summary>When an answer is complete: at a stop token — eos (the config's and the tokenizer's) or the template's
/// end-of-turn where that is one special token (<c>&lt;|eot_id|&gt;</c>, <c>&lt;|im_end|&gt;</c>, <c>&lt;end_of_turn&gt;</c>) — or,
/// where the end-of-turn is text (a custom suffix), once the decoded answer contains it. Neither is part of the answer.</summary>
public sealed class StopRule
{
    private readonly HashSet<int> _tokens;
    private readonly string? _text;
    private readonly Func<IReadOnlyList<int>, string> _decode;

    public StopRule(IEnumerable<int> tokens, string? text, Func<IReadOnlyList<int>, string> decode) =>
        (_tokens, _text, _decode) = ([.. tokens], string.IsNullOrEmpty(text) ? null : text, decode);

    public IReadOnlySet<int> Tokens => _tokens;

    public static StopRule For(GenerationPrompt prompt, ModelTokenizer tokenizer, ModelConfig config)
    {
        var tokens = new HashSet<int>(config.EosTokenIds);
        if (tokenizer.Eos is { } eos)
            tokens.Add(eos.Id);
        var endOfTurn = prompt.EndOfTurn.Trim();
        string? text = null;
        if (tokenizer.SpecialTokens.TryGetValue(endOfTurn, out var id))
            tokens.Add(id);
        else if (endOfTurn.Length > 0 && (tokenizer.Eos is null || endOfTurn != tokenizer.Eos.Text))
            text = endOfTurn;
        return new StopRule(tokens, text, ids => tokenizer.Decode(ids));
    }

    public bool IsStopToken(int token) => _tokens.Contains(token);

    /// <summary>The answer's text, cut before a text end-of-turn; null while it has none.</summary>
    public string? TextEnd(IReadOnlyList<int> generated)
    {
        if (_text is null)
            return null;
        var decoded = _decode(generated);
        var at = decoded.IndexOf(_text, StringComparison.Ordinal);
        return at < 0 ? null : decoded[..at];
    }

    public string Decode(IReadOnlyList<int> generated) => _decode(generated);
}
