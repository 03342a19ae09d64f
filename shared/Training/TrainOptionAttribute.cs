namespace PoFT.Shared.Training;

/// <summary>What a value different from the checkpoint's does when a run is resumed.</summary>
public enum OnResume
{
    /// <summary>The resume is refused with an error naming the flag or field: the value shapes what was
    /// already trained (the loss, the data order, the schedule, the data itself).</summary>
    Refused,

    /// <summary>The new value takes effect from the resumed step on: it changes how long the run goes on,
    /// how often it reports or saves, or where it runs — not what it has trained so far.</summary>
    Applied,
}

/// <summary>
/// Declares one option of the <c>train</c> config on the property that holds it: its help text, its
/// command-line flag and what it does on resume. The config field's name, its default (the property's
/// initial value), the <c>--help</c> text and the table in docs/training.md all come from this one declaration
/// (hybrid/Config/TrainOptions.cs reads it).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TrainOptionAttribute(string help) : Attribute
{
    public string Help { get; } = help;

    /// <summary>The flag; by default "--" and the field's JSON name with '-' for '_'. Empty: no flag
    /// (values that are JSON objects, given in the config file only).</summary>
    public string? Flag { get; set; }

    public OnResume OnResume { get; set; } = OnResume.Refused;

    /// <summary>A path: relative to the config file's folder in the file, to the working directory on the
    /// command line.</summary>
    public bool IsPath { get; set; }

    /// <summary>A file whose content the run depends on: a checkpoint records its SHA-256, so resuming
    /// against other content under the same path is refused as well as another path with other content.</summary>
    public bool ByContent { get; set; }
}
