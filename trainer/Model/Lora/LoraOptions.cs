using PoFT.Checkpoints;
using PoFT.Shared.Training;
using System.Globalization;

namespace PoFT.Trainer.Model.Lora;

/// <summary>
/// The <c>training.lora</c> object: low-rank adapters on the named projections of every layer, the rest of
/// the model frozen. Names and defaults follow PEFT's <c>LoraConfig</c> where it has the field
/// (<c>r</c>, <c>target_modules</c>, <c>use_rslora</c>; <c>alpha</c> and <c>dropout</c> are its
/// <c>lora_alpha</c> and <c>lora_dropout</c>).
/// </summary>
public sealed record LoraOptions
{
    /// <summary>The projections an adapter may wrap: every linear layer of a decoder layer.</summary>
    public static IReadOnlyList<string> Projections => DecoderProjections.Names;

    public int R { get; init; } = 16;

    public double Alpha { get; init; } = 32;

    public double Dropout { get; init; } = 0.05;

    public IReadOnlyList<string> TargetModules { get; init; } = Projections;

    /// <summary>PEFT's rank-stabilised scaling, alpha/√r instead of alpha/r.</summary>
    public bool UseRslora { get; init; }

    /// <summary>A <see cref="ComputeDtype"/> name: the dtype the frozen base is held and computed in; null: the
    /// run's dtype (<see cref="Placement"/>).</summary>
    public string? BaseDtype { get; init; }

    /// <summary><see cref="BaseDtype"/> as the config file names it.</summary>
    public const string BaseDtypeField = "training.lora.base_dtype";

    /// <summary>What the adapter's product B·A is multiplied by before it is added to the projection.</summary>
    public double Scaling => UseRslora ? Alpha / Math.Sqrt(R) : Alpha / R;

    /// <exception cref="ArgumentException">The first field out of its range, named as in the config file.</exception>
    public void Validate()
    {
        if (R < 1)
            throw Invalid("r", R.ToString(CultureInfo.InvariantCulture), "at least 1");
        if (!double.IsFinite(Alpha) || Alpha <= 0)
            throw Invalid("alpha", Alpha.ToString(CultureInfo.InvariantCulture), "a finite number > 0");
        if (!double.IsFinite(Dropout) || Dropout is < 0 or >= 1)
            throw Invalid("dropout", Dropout.ToString(CultureInfo.InvariantCulture), "in [0, 1)");
        var expected = $"a non-empty list of distinct names from {string.Join(", ", Projections)}";
        if (TargetModules is null || TargetModules.Count == 0 || TargetModules.Distinct(StringComparer.Ordinal).Count() != TargetModules.Count)
            throw Invalid("target_modules", TargetModules is null ? "null" : $"[{string.Join(", ", TargetModules)}]", expected);
        if (TargetModules.FirstOrDefault(m => !Projections.Contains(m)) is { } unknown)
            throw Invalid("target_modules", $"'{unknown}'", expected);
        if (BaseDtype is not null && !ComputeDtypes.TryParse(BaseDtype, out _))
            throw Invalid("base_dtype", $"'{BaseDtype}'", $"{ComputeDtypes.Expected} (or null: the run's dtype)");
    }

    private static ArgumentException Invalid(string field, string value, string expected) =>
        new($"training.lora.{field}: {value} is out of range; expected {expected}");
}
