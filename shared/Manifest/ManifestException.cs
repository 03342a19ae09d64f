namespace PoFT.Shared.Manifest;

/// <summary>A models manifest that cannot be used; the message names the file, the model and the field.</summary>
public sealed class ManifestException(string message) : PoftUserException(message);
