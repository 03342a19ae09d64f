namespace PoFT.Tests.Tokenizers;

/// <summary>
/// The strings a tokenizer is compared with Hugging Face's on: hand-picked corner cases, then seeded
/// combinations of fragments (about 200 in all), with the tokenizer's own control tokens among them.
/// </summary>
public static class ReferenceStrings
{
    private static readonly string[] Fixed =
    [
        "", " ", "  ", "\n", "\r\n", "\t", "a", "Hello world", "Hello, world!", " Hello world", "Hello world ",
        "  leading and   multiple    spaces  ", "trailing spaces   ", "tabs\tand\t\ttabs", "line one\nline two\n",
        "windows\r\nline\r\nends\r\n", "blank lines\n\n\nthree", "mixed \t \n \r\n whitespace", "\n\n\n", "   \n   ",
        "digits 0123456789 12345 1,234,567.89", "digits 𝟙𝟚𝟛", "x𝟙𝟚𝟛𝟜𝟝y", " 𝟘", "𝟙", "a 𝟙 b 𝟚 c", "١٢٣ ٤٥٦ Arabic-Indic digits",
        "Crème brûlée, naïve façade — déjà vu.", "Zoë Ångström Øre ß œuvre", "e\u0301 combining acute", "Ελληνικά κείμενα",
        "日本語のテキストと中文混合", "中文句子，带标点。", "ひらがな カタカナ 漢字", "한국어 문장입니다", "Привет, мир!",
        "مرحبا بالعالم", "שלום עולם", "हिन्दी पाठ", "ภาษาไทย", "emoji 🎉👩‍💻🇫🇷 and more", "😀😃😄", " 🎉", "👍🏽 skin tone",
        "𠀀𠀁 CJK extension B", "𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐 math letters", "𐍈 gothic", "music 𝄞 clef", "\u00a0non-breaking\u00a0space",
        "zero\u200bwidth", "ideographic\u3000space", "next\u0085line", "bom\ufeffinside", "soft\u00adhyphen",
        "def f(x):\n\tif x:\n\t\treturn  x  *  2\n\n\n", "for (int i = 0; i < n; i++) { sum += a[i]; }",
        "<html><body><p>Hi</p></body></html>", "SELECT * FROM users WHERE id = 42;", "{\"key\": [1, 2.5, null]}",
        "https://example.com/path?q=1&r=two#frag", "user@example.com", "C:\\Users\\name\\file.txt", "x = y ** 2 // 3",
        "It's we're they've I'm you'll he'd IT'S WE'RE", "don't won't can't", "'s 't 're", "!!!???...", "---===+++",
        "▁ literal metaspace ▁▁", "<0x0A> byte token text", "<unk> <pad> <mask>", "[INST] hi [/INST]",
        "<|im_start|>user\nhi<|im_end|>", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
        "<s>[INST] Hello [/INST] Hi</s>", "<bos><start_of_turn>user\nHi<end_of_turn>\n", "<｜begin▁of▁sentence｜>Hi",
        "<s>", "</s>", "text<s>text</s>text", " <s> spaced </s> ", "<<s>>", "<s<s>>",
    ];

    private static readonly string[] Fragments =
    [
        "the", "The", "quick", "brown", "fox", "jumps", "HELLO", "tokenizer", "antidisestablishmentarianism", "a",
        "I", "it's", "don't", "42", "3.14159", "2024-01-31", "1000000", "0x1F", "𝟙𝟚", "٣", "½", "Ⅻ", "²",
        "café", "naïve", "straße", "Ørsted", "日本", "中文", "テスト", "한국", "Привет", "عربى", "🎉", "👩‍💻", "🇯🇵",
        "𠀀", "𝐱", "∑", "€", "$", "%", "&", "'", "\"", "(", ")", "[", "]", "{", "}", "<", ">", "/", "\\", "|", "_",
        "-", "—", "…", "«", "»", "·", "•", "#", "@", "!", "?", ".", ",", ";", ":", "=", "+", "*", "^", "~", "`",
        "if", "return", "x+=1", "f(x)", "<tag>", "</tag>", "▁", "▁▁",
    ];

    private static readonly string[] Separators =
        ["", "", " ", " ", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n", "\n ", "\u00a0", "\u3000"];

    /// <summary>The strings for a tokenizer whose control tokens are <paramref name="controlTokens"/>.</summary>
    public static IReadOnlyList<string> For(IReadOnlyList<string> controlTokens)
    {
        var strings = new List<string>(Fixed);
        var random = new Random(1234);
        for (var i = 0; i < 130; i++)
        {
            var parts = new List<string>();
            var count = random.Next(1, 9);
            for (var j = 0; j < count; j++)
            {
                parts.Add(Separators[random.Next(Separators.Length)]);
                parts.Add(controlTokens.Count > 0 && random.Next(8) == 0
                    ? controlTokens[random.Next(controlTokens.Count)]
                    : Fragments[random.Next(Fragments.Length)]);
            }
            if (random.Next(4) == 0)
                parts.Add(Separators[random.Next(Separators.Length)]);
            strings.Add(string.Concat(parts));
        }
        strings.AddRange(LongRuns(4000, 5678));
        return strings;
    }

    /// <summary>
    /// Runs without spaces as real data holds them — DNA, random letters, a base64 blob, CJK and Cyrillic text,
    /// emoji, punctuation, whitespace, combining accents — each about <paramref name="length"/> characters, between
    /// ordinary words: pre-tokens longer than the tokenizers' long-pre-token threshold (LongPreTokenBpe, 256),
    /// merged by the O(n log n) path.
    /// </summary>
    public static IReadOnlyList<string> LongRuns(int length, int seed)
    {
        var random = new Random(seed);
        string Run(string alphabet) => string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]));
        string Astral(string[] symbols) => string.Concat(Enumerable.Range(0, length / 2).Select(_ => symbols[random.Next(symbols.Length)]));
        var bytes = new byte[length * 3 / 4];
        random.NextBytes(bytes);
        return
        [
            "DNA: " + Run("ACGT") + " end",
            "letters " + Run("abcdefghijklmnopqrstuvwxyz") + "\nnext line",
            "data:image/png;base64," + Convert.ToBase64String(bytes) + "\" done",
            "中文" + Run("的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家") + "。",
            "Привет" + Run("абвгдеёжзийклмнопрстуфхцчшщъыьэюя") + "!",
            "emoji " + Astral(["😀", "🎉", "👩", "🇫", "𝟙", "𠀀", "‍"]) + " tail",
            "rule " + Run("=-_*#~") + " x",
            "spaces" + new string(' ', length) + "end\n" + new string('\n', length / 8),
            "accents " + Run("ae\u0301\u0300io\u0308u") + " fin",
        ];
    }
}
