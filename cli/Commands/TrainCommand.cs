using System.CommandLine;
using System.Globalization;
using PoFT.Cli.Terminal;
using PoFT.Hybrid;
using PoFT.Hybrid.Config;
using PoFT.Shared.Training;
using PoFT.Trainer.Training;

namespace PoFT.Cli.Commands;

/// <summary><c>train</c>: PoFT (or CE, bi-PoFT) training from a config file, a flag for every option of it
/// (<see cref="TrainOptions"/>) overriding the file's value.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "train config (JSON; docs/training.md, example: configs/train.example.json)", Required = true };
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "continue exactly from a checkpoint of this run; a flag that changes the run is applied or refused (docs/training.md)" };
        var overwrite = new Option<bool>("--overwrite") { Description = "a new run may replace what its output directory holds (without it, a non-empty output is refused)" };
        var command = new Command("train", "Train the target model with PoFT, CE, bi-PoFT or DPO (--objective), scored online by the aligned models (DPO: by its reference model)") { config, resume, overwrite };
        foreach (var option in TrainOptions.All.Where(o => o.Flag is not null))
            command.Options.Add(Flag(option));
        command.SetAction(async (parse, _) =>
        {
            var given = Overrides(parse);
            var loaded = TrainConfig.Load(parse.GetRequiredValue(config).FullName, given);
            using var signal = new ShutdownSignal();
            TrainingSummary summary;
            try
            {
                await using var progress = new TrainingProgress("training", loaded.Training.MaxSteps);
                summary = await OnlineTraining.RunAsync(loaded, parse.GetValue(resume)?.FullName, progress, signal.Token, given.Keys.ToHashSet(), overwrite: parse.GetValue(overwrite));
            }
            catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
            {
                // Stopped while the scorer was still scoring what the first step needs: no step ran.
                Console.Error.WriteLine("stopped before the first step: nothing was trained, no checkpoint written");
                return ShutdownSignal.ExitCode;
            }
            if (summary.AlreadyComplete)
            {
                Console.WriteLine($"run already complete: {summary.CheckpointDirectory} is at step {summary.Steps}, the run's last; nothing trained " +
                    "(to train further, --resume the step checkpoint of its last step with a larger --max-steps or --epochs)");
                return 0;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"steps={summary.Steps} tokens_per_s={summary.TokensPerSecond:F0} scorer_wait_fraction={summary.ScorerWaitFraction:F4} " +
                $"{Field("held_out_ce", summary.FinalEval?.HeldOutCe)}{Field("mean_tau", summary.FinalEval?.MeanTau)}" +
                $"{Preference(summary.FinalEval?.Preference)}interrupted={summary.Interrupted.ToString().ToLowerInvariant()}"));
            if (summary.BestEval is { } best)
                Console.WriteLine(EvalLine.Of(best, "best eval"));
            if (summary.FinalEval is { } last)
                Console.WriteLine(EvalLine.Of(last, "last eval"));
            Console.WriteLine($"checkpoint: {summary.CheckpointDirectory}");
            // final/ keeps no optimizer state: where to resume from to train further, if the run kept a step checkpoint.
            if (!summary.Interrupted && summary.ResumeCheckpoint is { } resumeFrom)
                Console.WriteLine($"resume from: {resumeFrom}");
            return summary.Interrupted ? ShutdownSignal.ExitCode : 0;
        });
        return command;
    }

    /// <summary>A key=value of the summary line, left out where the run has no such value (τ of a CE run without
    /// scores, held-out CE without held-out data) rather than printed empty.</summary>
    private static string Field(string key, double? value) =>
        value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{key}={v:F4} ") : "";

    private static string Preference(PreferenceMetrics? held) => held is null ? "" : string.Create(CultureInfo.InvariantCulture,
        $"rewards/accuracies={held.RewardsAccuracies:F4} rewards/margins={held.RewardsMargins:F4} logps/accuracies={held.LogpsAccuracies:F4} ");

    /// <summary>The train options the command line sets, each with its value's text; a boolean flag given bare
    /// means true, as on every other verb.</summary>
    public static IReadOnlyDictionary<TrainOption, string> Overrides(ParseResult parse) =>
        TrainOptions.All.Where(o => o.Flag is not null && parse.GetResult(o.Flag) is not null)
            .ToDictionary(o => o, o => parse.GetValue<string?>(o.Flag!) ?? "true");

    /// <summary>A train option's flag, its value text parsed by <see cref="TrainOption.ParseFlag"/> (so its errors name
    /// the flag); a boolean one takes its value optionally.</summary>
    private static Option<string?> Flag(TrainOption option) => option.IsBoolean
        ? new Option<string?>(option.Flag!) { Description = Describe(option), HelpName = "true|false", Arity = ArgumentArity.ZeroOrOne }
        : new Option<string?>(option.Flag!) { Description = Describe(option), HelpName = "value" };

    private static string Describe(TrainOption option) =>
        $"{option.Help} [config: {option.Field}; {(option.Required ? "required" : $"default: {option.Default?.ToJsonString() ?? "none"}")}{(option.OnResume == OnResume.Applied ? "; applied on resume" : "")}]";
}
