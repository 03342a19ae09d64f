using System.CommandLine;
using PoFT.Hybrid.Config;
using PoFT.Planner;
using PoFT.Shared;
using PoFT.Checkpoints;
using PoFT.Shared.Training;
using PoFT.Trainer.Model;
using PoFT.Trainer.Model.Lora;
using Spectre.Console;
using TorchSharp;

namespace PoFT.Cli.Commands;

/// <summary><c>plan</c>: the trainer's and the aligned models' predicted peak memory for a model and its
/// options, and where they fit (docs/training.md, "Memory planner").</summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var defaults = new TrainConfig();
        var model = new Option<string>("--model") { Description = "the target: its config.json or checkpoint directory", Required = true };
        var device = new Option<string>("--device") { Description = "cpu (host memory) or cuda (GPU memory)", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string?>("--dtype") { Description = "float32 or bfloat16 (default: float32 on CPU, bfloat16 on CUDA)" };
        var batch = new Option<int>("--batch") { Description = "samples per micro-batch", DefaultValueFactory = _ => defaults.Training.BatchSize };
        var maxLength = new Option<int>("--max-length") { Description = "tokens per sample (every sample planned at this length)", DefaultValueFactory = _ => defaults.MaxLength };
        var chunk = new Option<int>("--logits-chunk") { Description = "scored positions per LM-head chunk (0: unchunked)", DefaultValueFactory = _ => defaults.Training.LogitsChunk };
        var checkpointing = new Option<bool>("--gradient-checkpointing") { Description = "recompute each layer's activations in the backward pass" };
        var loraRank = new Option<int>("--lora") { Description = "LoRA rank (0: full fine-tuning)" };
        var loraTargets = new Option<string>("--lora-targets") { Description = "comma-separated projections with adapters", DefaultValueFactory = _ => string.Join(',', DecoderProjections.Names) };
        var loraBase = new Option<string?>("--lora-base-dtype") { Description = "float32 or bfloat16: how the frozen base is held and computed (default: the run's dtype)" };
        var loraDropout = new Option<bool>("--lora-dropout") { Description = "adapter dropout on (each adapted projection keeps its dropped-out input)", DefaultValueFactory = _ => true };
        var aligned = new Option<string[]>("--aligned") { Description = "aligned models: a models manifest, or a model's config.json / checkpoint directory (repeatable)", AllowMultipleArgumentsPerToken = false };
        var gpus = new Option<int>("--gpus") { Description = "GPUs (cuda)", DefaultValueFactory = _ => 1 };
        var memory = new Option<string?>("--memory") { Description = "memory per device, e.g. 80GB (default: this machine's memory on cpu, 80GB on cuda)" };
        var command = new Command("plan", "Predict the trainer's and the aligned models' peak memory and say what fits")
        {
            model, device, dtype, batch, maxLength, chunk, checkpointing, loraRank, loraTargets, loraBase, loraDropout, aligned, gpus, memory,
        };
        command.SetAction(parse =>
        {
            var deviceName = parse.GetValue(device)!;
            var kind = deviceName switch
            {
                "cpu" => PlanDevice.Cpu,
                "cuda" => PlanDevice.Cuda,
                var other => throw new PoftUserException($"--device '{other}': expected cpu or cuda"),
            };
            var run = Placement.Of(deviceName, parse.GetValue(dtype) is { } dtypeName ? ComputeDtypes.Parse(dtypeName, "--dtype") : null);
            RequirePositive(parse, batch, maxLength, gpus);
            if (parse.GetValue(chunk) < 0)
                throw new PoftUserException($"--logits-chunk {parse.GetValue(chunk)}: expected 0 (unchunked) or more");
            var rank = parse.GetValue(loraRank);
            if (rank < 0)
                throw new PoftUserException($"--lora {rank}: expected 0 (full fine-tuning) or a rank of at least 1");
            var loraOptions = rank > 0 ? Lora(rank, parse.GetRequiredValue(loraTargets), parse.GetValue(loraBase)) : null;
            // The dtype the run's model is held and computed in, decided as training decides it.
            var compute = run.For(loraOptions).DType.ElementSize();
            var lora = loraOptions is null ? null : new LoraPlan(rank, loraOptions.TargetModules, compute, parse.GetValue(loraDropout));
            var modelConfig = PlanInputs.Model(parse.GetRequiredValue(model));
            if (lora is not null && (DecoderProjections.LoraRefusal(modelConfig) ?? DecoderProjections.RankRefusal(modelConfig, rank, loraOptions!.TargetModules)) is { } refusal)
                throw new PoftUserException($"--lora {rank}: {refusal}");
            var length = parse.GetValue(maxLength);
            var workload = new TrainerWorkload(modelConfig, kind, compute, lora,
                parse.GetValue(checkpointing), parse.GetValue(batch), length, parse.GetValue(chunk));
            var calibration = Calibration.ThisProject;
            var trainer = TrainerMemory.Estimate(workload, calibration);
            var scorers = (parse.GetValue(aligned) ?? []).SelectMany(a => PlanInputs.Aligned(a, length, kind)).Select(s => ScorerMemory.Estimate(s, calibration)).ToList();
            var perDevice = parse.GetValue(memory) is { } text ? ByteSize.Parse(text)
                : kind == PlanDevice.Cuda ? 80L << 30 : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            var plan = DevicePlan.Place(trainer, scorers, new DeviceBudget(kind, kind == PlanDevice.Cuda ? parse.GetValue(gpus) : 1, perDevice));
            Write(plan, [trainer, .. scorers], kind, AnsiConsole.Console);
            return plan.OnlineFits || plan.SequentialFits ? 0 : 2;
        });
        return command;
    }

    /// <summary>Sizes a plan cannot be made for (a batch of −1 samples, 0 GPUs) are refused, naming the flag, rather
    /// than planned.</summary>
    private static void RequirePositive(ParseResult parse, params Option<int>[] sizes)
    {
        foreach (var size in sizes)
            if (parse.GetValue(size) is var value and < 1)
                throw new PoftUserException($"{size.Name} {value}: expected at least 1");
    }

    /// <summary>The adapter the LoRA flags describe; each value refused naming its flag.</summary>
    private static LoraOptions Lora(int rank, string targetList, string? baseDtype)
    {
        string[] targets = [.. targetList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        if (targets.FirstOrDefault(t => !DecoderProjections.Names.Contains(t)) is { } unknown)
            throw new PoftUserException($"--lora-targets '{unknown}': expected names from {string.Join(", ", DecoderProjections.Names)}");
        if (baseDtype is not null)
            ComputeDtypes.Parse(baseDtype, "--lora-base-dtype");
        return new LoraOptions { R = rank, TargetModules = targets, BaseDtype = baseDtype };
    }

    private static void Write(DevicePlan plan, IReadOnlyList<MemoryEstimate> estimates, PlanDevice kind, IAnsiConsole console)
    {
        foreach (var estimate in estimates)
        {
            var table = new Table().Title(Markup.Escape($"{estimate.Name}: {MemoryEstimate.Format(estimate.Total)}")).AddColumn("part").AddColumn(new TableColumn("peak").RightAligned());
            foreach (var part in estimate.Parts.Where(p => p.Bytes > 0))
                table.AddRow(Markup.Escape(part.Name), MemoryEstimate.Format(part.Bytes));
            console.Write(table);
        }
        var name = kind == PlanDevice.Cuda ? "GPU" : "host";
        foreach (var d in plan.Devices)
            console.WriteLine($"{name} {d.Index}: {string.Join(" + ", d.Holds.Select(h => h.Name))} = {MemoryEstimate.Format(d.Total)} of {MemoryEstimate.Format(d.BytesAvailable)}: {(d.Fits ? "fits" : "does not fit")}");
        foreach (var u in plan.Unplaced)
            console.WriteLine($"{u.Name} ({MemoryEstimate.Format(u.Total)}) fits on no {name} beside the others");
        console.WriteLine(plan.OnlineFits
            ? "online training (scorer ∥ trainer) fits"
            : plan.SequentialFits
                ? "online training does not fit; scoring first (`score`, then `train --scores`) does: the trainer and each aligned model fit one at a time"
                : "does not fit, even scoring first: reduce the batch or max length, use LoRA, gradient checkpointing, or more memory");
    }
}
