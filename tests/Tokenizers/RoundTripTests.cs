namespace PoFT.Tests.Tokenizers;

public class RoundTripTests
{
    public static TheoryData<string, string> Cases()
    {
        var texts = new[]
        {
            "Crème brûlée, naïve façade — déjà vu.",
            "日本語のテキストと中文混合",
            "emoji 🎉👩‍💻🇫🇷 and more",
            "def f(x):\n\tif x:\n\t\treturn  x  *  2\n\n\n",
            "  leading and   multiple    spaces  ",
            "Привет, мир! Γειά σου κόσμε. مرحبا بالعالم",
            "<|im_start|>not alone<|im_end|>",
        };
        var data = new TheoryData<string, string>();
        foreach (var name in new[] { "llama3", "qwen3", "deepseek_v3", "mistral", "gemma3", "gpt2" })
            foreach (var text in texts)
                data.Add(name, text);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecodeOfEncodeIsTheText(string name, string text)
    {
        var tokenizer = RealTokenizers.ByName(name);
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text).Ids));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OffsetsAreOrderedAndInsideTheText(string name, string text)
    {
        var encoded = RealTokenizers.ByName(name).Encode(text);
        Assert.Equal(text, encoded.Text);
        for (var i = 0; i < encoded.Count; i++)
        {
            Assert.InRange(encoded.Starts[i], 0, text.Length);
            Assert.InRange(encoded.Ends[i], encoded.Starts[i], text.Length);
            if (i > 0)
                Assert.True(encoded.Starts[i] >= encoded.Starts[i - 1]);
        }
    }
}
