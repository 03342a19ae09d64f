using System.Text.Json;

namespace PoFT.Shared;

public static class StrictJson
{
    /// <summary>Parse options that refuse a duplicate property: by default one value silently wins (JsonDocument)
    /// or the first lookup throws an exception naming no file (JsonNode), and a duplicated tensor, field or
    /// vocabulary entry means the file says two things at once.</summary>
    public static readonly JsonDocumentOptions NoDuplicates = new() { AllowDuplicateProperties = false };
}
