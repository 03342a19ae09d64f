using PoFT.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace PoFT.Trainer.Model.Lora;

/// <summary><c>poft merge</c>: a LoRA adapter folded into its base, written as a whole Hugging Face checkpoint
/// (what <c>export</c>, the scorer and other tools load).</summary>
public static class LoraMerge
{
    /// <summary>Writes W + scaling·B·A for every wrapped projection, computed in fp32 and stored in the base's
    /// dtype (BF16 for a BF16 base, else F32), with the base's config and the adapter's tokenizer files.</summary>
    /// <param name="baseDirectory">The base to merge into; null: the one the adapter's config names.</param>
    /// <returns>The base the adapter was merged into.</returns>
    /// <exception cref="IOException"><paramref name="output"/> exists and is not empty.</exception>
    public static string Merge(string adapterDirectory, string output, string? baseDirectory = null)
    {
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new IOException($"{output} already exists and is not empty; choose a new directory for the merged checkpoint");
        if (!Checkpoint.IsAdapter(adapterDirectory))
            throw new CheckpointFormatException(adapterDirectory, $"no {Checkpoint.AdapterConfigFile}: not a LoRA adapter directory");
        using var model = LoraCheckpoint.Load(adapterDirectory, Placement.Cpu, baseDirectory);
        var baseModel = model.Lora!.BaseModel;
        BaseFingerprint.RequireTrainedOn(adapterDirectory, baseModel);
        bool bf16;
        using (var checkpoint = Checkpoint.Open(baseModel))
            bf16 = checkpoint.Entry(ExpectedTensors.Embedding).DType == SafetensorsDType.BF16;
        model.MergeLora();
        if (bf16)
            model.to(ScalarType.BFloat16);
        var tokenizer = Checkpoint.TokenizerFiles.Any(f => File.Exists(Path.Combine(adapterDirectory, f))) ? adapterDirectory : baseModel;
        ModelCheckpoint.Save(model, output, tokenizer);
        return baseModel;
    }
}
