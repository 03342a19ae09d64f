namespace PoFT.Text.Tokenizers;

/// <summary>A control token: its text as templates write it and its id.</summary>
public sealed record SpecialToken(string Text, int Id);
