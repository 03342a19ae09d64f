using System.Text.Json.Serialization;

namespace PoFT.Shared.Training;

/// <summary>The training objectives (docs/method.md). The JSON names are the names everywhere: config
/// files, <c>--objective</c>, checkpoints and the experiment's run labels.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ObjectiveKind>))]
public enum ObjectiveKind
{
    /// <summary>Plain SFT: −r_θ per sample, the baseline of every comparison.</summary>
    [JsonStringEnumMemberName("ce")]
    Ce,

    /// <summary>Bradley–Terry preference of the target over the aligned models: −log σ(β(r_θ − r̄) + γ).</summary>
    [JsonStringEnumMemberName("poft")]
    Poft,

    /// <summary>PoFT on clean samples, the reversed preference −log σ(β(r̄ − r_θ) + γ) on samples marked as
    /// noise (this project's reading of the paper's bi-PoFT, docs/method.md).</summary>
    [JsonStringEnumMemberName("bi-poft")]
    BiPoft,

    /// <summary>Direct preference optimisation on preference pairs against a frozen reference model
    /// (<see cref="DpoLossType"/>): the preference-optimisation stage that follows SFT or PoFT.</summary>
    [JsonStringEnumMemberName("dpo")]
    Dpo,

    /// <summary>Dynamic fine-tuning (Wu et al. 2025, "On the Generalization of SFT: A Reinforcement Learning
    /// Perspective with Reward Rectification", arXiv:2508.05629; TRL's SFT <c>loss_type="dft"</c>): each response
    /// token's cross-entropy scaled by its own probability, detached, −sg(p_t)·log p_t, averaged over the
    /// micro-batch's response tokens. No reference scores.</summary>
    [JsonStringEnumMemberName("dft")]
    Dft,
}

/// <summary>The objectives' names as declared on <see cref="ObjectiveKind"/>.</summary>
public static class ObjectiveNames
{
    public static string Of(ObjectiveKind kind) => typeof(ObjectiveKind).GetField(kind.ToString())!
        .GetCustomAttributes(typeof(JsonStringEnumMemberNameAttribute), false).Cast<JsonStringEnumMemberNameAttribute>().Single().Name;

    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<ObjectiveKind>().Select(Of)];
}
