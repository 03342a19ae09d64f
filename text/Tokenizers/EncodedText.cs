namespace PoFT.Text.Tokenizers;

/// <summary>
/// Token ids of <see cref="Text"/> with each token's character range in it. <see cref="Text"/> is the string
/// the offsets refer to: the input after the tokenizer's NFC normalization (equal to the input when nothing
/// changed). Byte-fallback tokenizers, whose normalizers rewrite spaces as "▁" (Llama-2, Mistral, Gemma), report
/// ranges in the input itself. A token that covers only some bytes of a character (byte-level BPE, byte
/// fallback) reports the range of that character.
/// </summary>
public sealed record EncodedText(string Text, int[] Ids, int[] Starts, int[] Ends)
{
    public int Count => Ids.Length;
}
