namespace PoFT.Trainer.Objectives;

/// <summary>The training objectives of POFT.md.</summary>
public enum ObjectiveKind
{
    /// <summary>Plain SFT: −r_θ per sample, the baseline of every comparison.</summary>
    Ce,
    /// <summary>Bradley–Terry preference of the target over the aligned models: −log σ(β(r_θ − r̄) + γ).</summary>
    Poft,
    /// <summary>PoFT on clean samples, the reversed preference −log σ(β(r̄ − r_θ) + γ) on samples marked as
    /// noise (this project's reading of the paper's bi-PoFT, see POFT.md).</summary>
    BiPoft,
}
