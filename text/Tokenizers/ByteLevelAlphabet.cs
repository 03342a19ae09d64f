namespace PoFT.Text.Tokenizers;

/// <summary>
/// GPT-2's reversible byte-to-character table: byte-level BPE vocabularies (GPT-2, Llama-3, Qwen) spell every
/// byte as one printable character so that tokens are strings, e.g. the space byte as 'Ġ'.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildTable();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    /// <summary>The character that spells one byte: 'Ġ' for the space byte.</summary>
    public static char ToChar(byte value) => ByteToChar[value];

    /// <summary>The bytes a vocabulary token spells, or null when it holds a character outside the table.</summary>
    public static byte[]? ToBytes(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            if (!CharToByte.TryGetValue(token[i], out bytes[i]))
                return null;
        }
        return bytes;
    }

    private static char[] BuildTable()
    {
        // Printable Latin-1 bytes stand for themselves; the others map, in order, to U+0100 onwards.
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = (char)(printable ? b : next++);
        }
        return table;
    }
}
