using PoFT.Fuzz;

// `PoFT.Fuzz TARGET`: under afl-fuzz (scripts/fuzz.sh), runs TARGET on each input AFL++ sends, in SharpFuzz's
// persistent loop. `PoFT.Fuzz TARGET FILE...`: runs TARGET once on each file, outside AFL — how a finding is
// reproduced. `PoFT.Fuzz seeds DIR`: writes the binary seeds (Parquet, MessagePack, safetensors) under DIR.
if (args is ["seeds", var seedDirectory])
{
    BinarySeeds.Write(seedDirectory);
    return 0;
}
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: PoFT.Fuzz TARGET [FILE...] | seeds DIR; targets: {string.Join(", ", Targets.All.Keys)}");
    return 2;
}
if (args.Length == 1)
{
    // Out of process: the inputs run in a child of this process, which AFL++'s timeout (or a stack overflow) may kill
    // and SharpFuzz restarts; in-process, such an input killed the fork server and so the whole run.
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream => _ = Contract.Run(target, stream));
    return 0;
}
foreach (var file in args.Skip(1))
{
    using var stream = File.OpenRead(file);
    var refusal = Contract.Run(target, stream);
    Console.WriteLine(refusal is null ? $"{file}: accepted" : $"{file}: refused ({refusal.GetType().Name}): {refusal.Message}");
}
return 0;
