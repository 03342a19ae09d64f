using System.Text.Json.Serialization;

namespace PoFT.Shared.Training;

/// <summary>DPO's loss on the implicit reward margin h = (log π(y_w) − log π_ref(y_w)) − (log π(y_l) − log π_ref(y_l))
/// (docs/method.md, "DPO"). The JSON names are TRL's <c>loss_type</c> names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DpoLossType>))]
public enum DpoLossType
{
    /// <summary>DPO (Rafailov et al. 2023): −log σ(βh), with label smoothing ε the conservative
    /// −(1 − ε) log σ(βh) − ε log σ(−βh).</summary>
    [JsonStringEnumMemberName("sigmoid")]
    Sigmoid,

    /// <summary>IPO (Azar et al. 2023): (h − 1/(2β))² on length-normalised log-probs, as TRL computes it.</summary>
    [JsonStringEnumMemberName("ipo")]
    Ipo,

    /// <summary>Robust DPO (Chowdhury et al. 2024): the unbiased loss under preference labels flipped at rate ε,
    /// (−(1 − ε) log σ(βh) + ε log σ(−βh)) / (1 − 2ε).</summary>
    [JsonStringEnumMemberName("robust")]
    Robust,
}
