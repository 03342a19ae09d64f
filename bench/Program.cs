using System.Globalization;
using PoFT.Bench;
using PoFT.Trainer.Model;

// The memory, large and bf16 parts' child process (MemoryPart, LargePart and PrecisionTrainingPart start it, users never do): one
// workload in a fresh process, then its peak resident set. The large part's workloads: see LargeProbe; the
// memory part's arguments: WORKLOAD MODEL SAMPLES LENGTH OPTION THREADS (OPTION: the scorer's token budget
// or the trainer's setup).
HostMemory.Configure();
if (args.Length > 0 && DataProbe.Handles(args[0]))
    return DataProbe.Run(args);
if (args.Length > 0 && LargeProbe.Handles(args[0]))
    return await LargeProbe.RunAsync(args);
if (args.Length > 0 && PrecisionTrainingProbe.Handles(args[0]))
    return await PrecisionTrainingProbe.RunAsync(args);
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: PoFT.Bench WORKLOAD MODEL SAMPLES LENGTH OPTION THREADS (the memory part's probe; run `poft bench` instead)");
    return 2;
}
int Int(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
return await MemoryProbe.RunAsync(args[0], args[1], Int(2), Int(3), args[4], Int(5));
