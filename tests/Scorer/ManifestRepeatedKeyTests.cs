using PoFT.Shared.Manifest;
using PoFT.Tests.Support;

namespace PoFT.Tests.Scorer;

public class ManifestRepeatedKeyTests
{
    // Found by fuzzing (scripts/fuzz.sh manifest): a key given twice in a model's entry was a .NET ArgumentException
    // ("An item with the same key has already been added") at the first lookup into the entry.
    [Theory]
    [InlineData("""{"models": [{"name": "a", "": 160, "": {}}]}""", "Duplicate property ''")]
    [InlineData("""{"models": [{"name": "a", "weight": 1, "weight": 2}]}""", "Duplicate property 'weight'")]
    [InlineData("""{"models": [], "models": [{"name": "a"}]}""", "Duplicate property 'models'")]
    public void A_key_given_twice_is_refused_naming_it(string json, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.File("models.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<ManifestException>(() => ModelsManifest.Load(path));
        Assert.StartsWith($"{path}: not valid JSON: ", error.Message);
        Assert.Contains(expected, error.Message);
    }
}
