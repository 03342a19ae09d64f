using System.Text.Json.Nodes;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Hybrid.Config;

/// <summary>
/// What a resumed run may change (<see cref="OnResume"/> on each option's declaration): a value that
/// differs from the checkpoint's is applied where it only changes the run from here on, and refused —
/// naming the flag or field — where it would change what was already trained. Data files and the
/// manifest are compared by content, so other data under the same path is refused too.
/// </summary>
public static class ResumeRules
{
    /// <summary>What a checkpoint records of the config's top-level options (the training options are
    /// recorded whole in its options).</summary>
    public static IReadOnlyDictionary<string, JsonNode?> Inputs(TrainConfig config) =>
        TrainOptions.All.Where(o => !o.InTraining).ToDictionary(o => o.Field, o => o.Fingerprint(config));

    /// <param name="requested">The config file with the command line's values in place; the resumed run
    /// continues with it when this returns.</param>
    /// <param name="inputs"><see cref="Inputs"/> of <paramref name="requested"/>: the data files hashed once.</param>
    /// <param name="fromFlags">Options given on the command line (named as flags in errors).</param>
    /// <param name="note">Told of every value applied.</param>
    /// <exception cref="ArgumentException">A value that may not change on resume did, naming flag or field.</exception>
    public static void Check(TrainConfig requested, IReadOnlyDictionary<string, JsonNode?> inputs, string checkpoint, TrainerState state,
        IReadOnlySet<TrainOption> fromFlags, Action<string> note)
    {
        var recordedConfig = requested with { Training = state.Options };
        foreach (var option in TrainOptions.All)
        {
            // Compared as JSON values (DeepEquals: object members in any order), as the checkpoint holds them.
            var (current, recorded, wasRecorded) = option.InTraining
                ? (option.Fingerprint(requested), option.Fingerprint(recordedConfig), true)
                : (inputs[option.Field], state.Inputs.GetValueOrDefault(option.Field), state.Inputs.ContainsKey(option.Field));
            // An option added after the checkpoint was written is not in its inputs: the run had its default then.
            if (wasRecorded ? JsonNode.DeepEquals(current, recorded) : JsonNode.DeepEquals(current, option.Default))
                continue;
            var was = wasRecorded ? Shown(recorded) : "(not recorded)";
            if (option.OnResume == OnResume.Applied)
            {
                note($"resume: {option.Field} {was} → {Shown(current)}");
                continue;
            }
            var shown = Shown(option.ValueIn(requested));
            var source = fromFlags.Contains(option) ? $"{option.Flag} {shown}" : $"config field '{option.Field}' {shown}";
            var what = option.ByContent ? "its content differs from what the run was started with" : $"the run was started with {was}";
            throw new ArgumentException($"--resume {checkpoint}: {source}: {what}, and {option.Field} cannot change on resume " +
                "(it shapes what was already trained). Resume with the run's value, or start a new run.");
        }
    }

    private static string Shown(JsonNode? value) => value?.ToJsonString() ?? "null";
}
