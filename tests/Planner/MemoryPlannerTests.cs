using PoFT.Planner;
using PoFT.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Planner;

/// <summary>The planner's arithmetic against hand counts, and its placement rule. Whether its predictions
/// agree with measured peaks is the memory benchmark's to show (docs/performance.md), not a test's.</summary>
public class MemoryPlannerTests
{
    private static readonly ModelConfig Small = ModelConfig.Preset("small", 1000);
    private static readonly Calibration NoRuntime = new() { ProcessRuntimeBytes = 0, ScorerSessionBytes = 0 };

    private static long Part(MemoryEstimate estimate, string prefix) => estimate.Parts.Single(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)).Bytes;

    private static TrainerWorkload Workload(LoraPlan? lora = null, bool checkpointing = false, int batch = 4, int chunk = 64) =>
        new(Small, PlanDevice.Cpu, 4, lora, checkpointing, batch, 128, chunk);

    [Fact]
    public void Full_fine_tuning_in_fp32_holds_16_bytes_per_parameter_in_weights_gradients_and_adamw()
    {
        var estimate = TrainerMemory.Estimate(Workload(), NoRuntime);
        var parameters = Small.ParameterCount;
        Assert.Equal(4 * parameters, Part(estimate, "weights"));
        Assert.Equal(4 * parameters, Part(estimate, "gradients"));
        Assert.Equal(8 * parameters, Part(estimate, "AdamW state"));
    }

    [Fact]
    public void Full_fine_tuning_in_bf16_adds_the_fp32_master_copy_and_its_fp32_gradients_at_the_update()
    {
        var workload = Workload() with { ComputeBytes = 2, BatchSize = 1, MaxLength = 8 };
        var estimate = TrainerMemory.Estimate(workload, NoRuntime);
        var parameters = Small.ParameterCount;
        Assert.Equal(2 * parameters, Part(estimate, "weights"));
        Assert.Equal(4 * parameters, Part(estimate, "fp32 master weights"));
        Assert.Equal(2 * parameters, Part(estimate, "gradients"));
        Assert.Equal(8 * parameters, Part(estimate, "AdamW state"));
        // Eight tokens' activations are far smaller than the update's: the peak is the fp32 update, where each
        // gradient is held in fp32 (4 bytes) in place of bf16 (2).
        Assert.Equal(2 * parameters, Part(estimate, "master's fp32 gradients"));
        var largest = (long)Small.VocabSize * Small.HiddenSize;
        Assert.Equal(2 * largest * 4, Part(estimate, "AdamW update's temporaries"));
        // 18 bytes a parameter at the update, against 16 in fp32 and 8 in bf16 without a master.
        Assert.Equal(18 * parameters + 8 * largest, estimate.Parts.Sum(p => p.Bytes));
    }

    [Fact]
    public void LoRA_counts_rank_times_in_plus_out_per_adapted_projection_and_trains_only_those()
    {
        var lora = new LoraPlan(8, ["q_proj", "down_proj"], BaseBytes: 2, Dropout: false);
        // small: hidden 256, 8 heads × 32 = 256 query width, MLP 688, 4 layers.
        var adapters = 4 * (8 * (256 + 256) + 8 * (688 + 256));
        Assert.Equal(adapters, TrainerMemory.LoraParameters(Small, lora));
        var estimate = TrainerMemory.Estimate(Workload(lora), NoRuntime);
        Assert.Equal(2 * Small.ParameterCount + 4L * adapters, Part(estimate, "weights"));
        Assert.Equal(4L * adapters, Part(estimate, "gradients"));
        Assert.Equal(8L * adapters, Part(estimate, "AdamW state"));
    }

    [Fact]
    public void The_planners_adapter_count_is_the_number_of_parameters_LoRA_trains()
    {
        var config = ModelConfig.Preset("tiny", 300);
        using var model = PoFT.Trainer.Model.ModelCheckpoint.CreateFresh(config, seed: 1);
        model.AttachLora(new PoFT.Trainer.Model.Lora.LoraOptions { R = 4, TargetModules = ["k_proj", "o_proj", "up_proj"] }, baseModel: "base", seed: 1);
        var trained = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        Assert.Equal(trained, TrainerMemory.LoraParameters(config, new LoraPlan(4, ["k_proj", "o_proj", "up_proj"], 4, Dropout: true)));
    }

    [Fact]
    public void Checkpointing_keeps_layer_inputs_instead_of_every_layers_activations()
    {
        var plain = Part(TrainerMemory.Estimate(Workload(), NoRuntime), "activations");
        var checkpointed = Part(TrainerMemory.Estimate(Workload(checkpointing: true), NoRuntime), "activations");
        long tokens = 4 * 128, layers = Small.NumHiddenLayers, hidden = Small.HiddenSize;
        var perLayer = TrainerMemory.LayerElementsPerToken(Small, null) * tokens * 4;
        // On the CPU the recomputed layer before it is still resident too (HostMemory trims once a second).
        var resident = 1 + NoRuntime.CpuUntrimmedLayers;
        Assert.Equal(plain - (long)((layers - resident) * perLayer) + layers * tokens * hidden * 4, checkpointed);
    }

    [Fact]
    public void Chunked_logits_do_not_grow_with_the_batch_and_unchunked_ones_do()
    {
        Assert.Equal(Part(TrainerMemory.Estimate(Workload(batch: 2), NoRuntime), "LM head"), Part(TrainerMemory.Estimate(Workload(batch: 8), NoRuntime), "LM head"));
        Assert.Equal(4 * Part(TrainerMemory.Estimate(Workload(batch: 2, chunk: 0), NoRuntime), "LM head"),
            Part(TrainerMemory.Estimate(Workload(batch: 8, chunk: 0), NoRuntime), "LM head"));
    }

    [Fact]
    public void Aligned_models_go_where_there_is_room_and_what_fits_nowhere_is_named()
    {
        static MemoryEstimate Of(string name, long gib) => new(name, [new MemoryPart("all", gib << 30)]);
        var trainer = Of("trainer", 25);
        MemoryEstimate[] aligned = [Of("a", 33), Of("b", 33), Of("c", 33)];

        var two = DevicePlan.Place(trainer, aligned, new DeviceBudget(PlanDevice.Cuda, 2, 80L << 30));
        Assert.True(two.OnlineFits);
        Assert.Equal([58L << 30, 66L << 30], two.Devices.Select(d => d.Total));

        var one = DevicePlan.Place(trainer, aligned, new DeviceBudget(PlanDevice.Cuda, 1, 80L << 30));
        Assert.False(one.OnlineFits);
        Assert.Equal(["b", "c"], one.Unplaced.Select(u => u.Name));
        Assert.True(one.SequentialFits);
    }

    [Fact]
    public void Real_7_to_8B_configs_plan_with_their_published_sizes()
    {
        var llama = PlanInputs.Model(Path.Combine(RepoPaths.Root, "configs", "models", "llama-3-8b-instruct.json"));
        Assert.Equal(8_030_261_248, llama.ParameterCount);
        var aligned = PlanInputs.Aligned(Path.Combine(RepoPaths.Root, "configs", "models", "qwen2.5-7b-instruct.json"), 1024, PlanDevice.Cuda).Single();
        Assert.Equal(4 * 7_615_616_512L, aligned.WeightBytes);
    }

    [Theory]
    [InlineData("80GB", 80L << 30)]
    [InlineData("512 MiB", 512L << 20)]
    [InlineData("1.5T", 3L << 39)]
    public void Memory_sizes_read_as_written(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text));

    [Fact]
    public void A_size_without_a_unit_is_refused_with_an_example() =>
        Assert.Contains("e.g. 80GB", Assert.Throws<ArgumentException>(() => ByteSize.Parse("80")).Message);
}
