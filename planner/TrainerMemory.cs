using PoFT.Checkpoints;

namespace PoFT.Planner;

/// <summary>
/// The trainer's peak, part by part: weights, gradients and AdamW state from the parameter counts; the
/// activations the backward pass keeps, counted tensor by tensor from trainer/Model/LlamaForCausalLM.cs;
/// the LM head's logits chunk; and the runtime itself. The peak falls at the start of the backward pass,
/// when every saved activation, the first gradients and the logits' gradient are alive at once.
/// </summary>
public static class TrainerMemory
{
    public static MemoryEstimate Estimate(TrainerWorkload w, Calibration calibration)
    {
        var c = w.Model;
        long all = c.ParameterCount;
        long trainable = w.Lora is null ? all : LoraParameters(c, w.Lora);
        // Trainable weights are fp32 under LoRA (adapters are small and AdamW needs the precision); full
        // fine-tuning holds them in the compute dtype (Placement: fp32 on CPU, bf16 on CUDA), and in bf16 also
        // an fp32 master copy that AdamW steps (trainer/Model/MasterWeights.cs). AdamW's moments are fp32 always.
        var trainableBytes = w.Lora is null ? w.ComputeBytes : 4;
        var master = w.Lora is null && w.ComputeBytes < 4;
        var frozenBytes = w.Lora?.BaseBytes ?? 0;
        var parts = new List<MemoryPart>
        {
            new("runtime (.NET, libtorch, ONNX Runtime" + (w.Device == PlanDevice.Cuda ? ", CUDA context)" : ")"),
                w.Device == PlanDevice.Cuda ? calibration.CudaContextBytes : calibration.ProcessRuntimeBytes),
            new(w.Lora is null ? "weights" : "weights (frozen base + adapters)",
                (w.Lora is null ? 0 : all * frozenBytes) + trainable * trainableBytes),
        };
        if (master)
            parts.Add(new("fp32 master weights", trainable * 4));
        parts.Add(new("gradients", trainable * trainableBytes));
        parts.Add(new("AdamW state (2 fp32 moments)", 2 * trainable * 4));
        // The step's two peaks never overlap: the backward pass's ends before the optimizer's update begins.
        List<MemoryPart> backward =
        [
            new(w.GradientCheckpointing ? "activations (layer inputs + one layer recomputed)" : "activations kept for backward", ActivationBytes(w, calibration)),
            new("LM head: logits chunk, its softmax and gradient", LogitsBytes(w, calibration)),
            new("backward pass working set", BackwardWorkingBytes(w)),
        ];
        // With a master the update runs in fp32: each bf16 gradient is replaced by its fp32 cast.
        List<MemoryPart> update = [new("AdamW update's temporaries (largest tensor)", 2 * LargestTrainable(w) * (master ? 4 : trainableBytes))];
        if (master)
            update.Add(new("master's fp32 gradients, less the bf16 ones they replace", trainable * (4 - w.ComputeBytes)));
        var transient = backward.Sum(p => p.Bytes) >= update.Sum(p => p.Bytes) ? backward : update;
        parts.AddRange(transient);
        return new MemoryEstimate("trainer", parts);
    }

    /// <summary>Adapter parameters over all layers: r·(in + out) per adapted projection.</summary>
    public static long LoraParameters(ModelConfig c, LoraPlan lora) =>
        c.NumHiddenLayers * lora.TargetModules.Sum(t => { var (i, o) = DecoderProjections.Shape(c, t); return (long)lora.Rank * (i + o); });

    /// <summary>AdamW's update makes two temporaries the size of the tensor it updates (the denominator and
    /// the step); the largest trainable tensor sets their peak.</summary>
    private static long LargestTrainable(TrainerWorkload w)
    {
        var c = w.Model;
        if (w.Lora is not null)
            return w.Lora.TargetModules.Max(t => { var (i, o) = DecoderProjections.Shape(c, t); return w.Lora.Rank * Math.Max(i, o); });
        return Math.Max((long)c.VocabSize * c.HiddenSize, DecoderProjections.Names.Max(t => { var (i, o) = DecoderProjections.Shape(c, t); return i * o; }));
    }

    /// <summary>Elements one decoder layer keeps per token for its backward pass, from the forward as written:
    /// RMSNorm keeps its input and normalised output (twice per layer); q, k and v are kept before and after
    /// the rotary embedding, with the rotated half; k and v again after grouped-query repetition; the
    /// attention output and its reshaped copy; the residual sum; and the SwiGLU MLP's gate, up, SiLU and
    /// product.
    /// <para>Under LoRA every base weight is frozen, and autograd saves a tensor only for the derivatives it
    /// will compute (PyTorch's codegen guards each saved input by the gradient that uses it:
    /// tools/autograd/gen_variable_type.py, <c>guard_for</c>): the norms' outputs, the attention output's
    /// reshaped copy and the SwiGLU product, kept only for their weights' gradients, go. Each adapter keeps
    /// its own input instead: its dropped-out copy and bool mask (a quarter of an fp32 element) when dropout
    /// is on, else the projection's input itself, which q/k/v and gate/up share; and its rank-r product.</para></summary>
    public static long LayerElementsPerToken(ModelConfig c, LoraPlan? lora)
    {
        long h = c.HiddenSize, q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim, i = c.IntermediateSize;
        var repeated = c.KeyValueGroups > 1;
        var attention = 3 * q + 2 * kv + (repeated ? 2 * q : 2 * kv) + 2 * q;
        var elements = 4 * h + attention + 4 * i;
        if (lora is null)
            return elements;
        var adapterInputs = lora.Dropout
            ? lora.TargetModules.Sum(t => DecoderProjections.Shape(c, t).In * 5 / 4)
            : lora.TargetModules.GroupBy(SharedInput).Sum(g => DecoderProjections.Shape(c, g.First()).In);
        return elements - (2 * h + q + i) + adapterInputs + lora.TargetModules.Count * (long)lora.Rank;
    }

    /// <summary>Projections reading the same tensor: q, k and v the attention's normed input, gate and up the MLP's.</summary>
    private static string SharedInput(string projection) => projection switch
    {
        "q_proj" or "k_proj" or "v_proj" => "attention input",
        "gate_proj" or "up_proj" => "mlp input",
        _ => projection,
    };

    private static long ActivationBytes(TrainerWorkload w, Calibration calibration)
    {
        var c = w.Model;
        long e = w.ComputeBytes, t = w.Tokens, s = w.MaxLength, layers = c.NumHiddenLayers;
        var layer = LayerElementsPerToken(c, w.Lora) * t * e + AttentionScoreBytes(w, calibration);
        // One additive fp32 mask [rows, 1, seq, seq] serves every layer.
        var mask = (long)w.BatchSize * s * s * 4;
        var embeddings = t * c.HiddenSize * e;
        if (!w.GradientCheckpointing)
            return embeddings + mask + layers * layer;
        // Each layer's recomputation is freed just before the next one's is made; on the CPU its pages stay
        // resident until HostMemory's next trim.
        var recomputed = (w.Device == PlanDevice.Cpu ? 1 + calibration.CpuUntrimmedLayers : 1) * layer;
        return embeddings + mask + layers * t * c.HiddenSize * e + (long)recomputed;
    }

    /// <summary>What attention keeps of its [heads, seq, seq] scores: nothing where the fused kernel is used
    /// (CUDA), the probabilities where scaled_dot_product_attention falls back to its composed form
    /// (<see cref="Calibration.CpuAttentionKeepsScores"/>).</summary>
    private static long AttentionScoreBytes(TrainerWorkload w, Calibration calibration) =>
        w.Device == PlanDevice.Cpu && calibration.CpuAttentionKeepsScores
            ? (long)w.BatchSize * w.Model.NumAttentionHeads * w.MaxLength * w.MaxLength * w.ComputeBytes
            : 0;

    /// <summary>fp32 logits of one chunk of scored positions (all of them unchunked), with the copies the
    /// log-softmax and its gradient need at the same time.</summary>
    private static long LogitsBytes(TrainerWorkload w, Calibration calibration)
    {
        var rows = w.LogitsChunk > 0 ? Math.Min(w.LogitsChunk, w.ScoredPositions) : w.ScoredPositions;
        var copies = w.LogitsChunk > 0 ? calibration.ChunkedLogitsCopies : calibration.UnchunkedLogitsCopies;
        return (long)(rows * w.Model.VocabSize * 4L * copies);
    }

    /// <summary>Gradients of the widest layer's activations, alive together while that layer is
    /// back-propagated (the MLP's gate, up and product); and, when the vocabulary's weights are trained, their
    /// two [vocabulary, hidden] gradients before autograd adds them into .grad: the LM head's fp32 accumulator
    /// and the embedding lookup's dense gradient.</summary>
    private static long BackwardWorkingBytes(TrainerWorkload w)
    {
        var head = w.Lora is null ? 2L * w.Model.VocabSize * w.Model.HiddenSize * 4 : 0;
        return 3 * w.Tokens * w.Model.IntermediateSize * w.ComputeBytes + head;
    }
}
