namespace PoFT.Shared;

/// <summary>
/// Something the user must fix — a flag, a config value, a file, the machine — and which the project has
/// refused with a message naming what to change. <c>poft</c> reports these as one line, without a stack trace;
/// any other exception is a bug and keeps its trace. The project's own refusals (a bad checkpoint, manifest,
/// data record, sample, chat template, a diverged run) derive from this.
/// </summary>
public class PoftUserException(string message) : Exception(message);
