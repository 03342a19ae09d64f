using PoFT.Cli.Terminal;

namespace PoFT.Fuzz;

/// <summary>
/// What a target may do with any input: succeed, or refuse it as the CLI refuses the user's mistakes
/// (<see cref="UserError.Is"/>: a <see cref="PoFT.Shared.PoftUserException"/>, an <see cref="IOException"/>, or a
/// plain refusal the project throws itself). Any other exception escapes — SharpFuzz reports it to AFL++ as a crash —
/// and so does a signal; a hang is AFL++'s timeout (scripts/fuzz.sh sets it).
/// </summary>
public static class Contract
{
    /// <returns>The refusal, where the target refused the input; null where it accepted it.</returns>
    public static Exception? Run(Action<byte[]> target, Stream input)
    {
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        try
        {
            target(buffer.ToArray());
            return null;
        }
        catch (Exception e) when (UserError.Is(e))
        {
            return e;
        }
    }
}
