using PoFT.Shared;
using TorchSharp.Utils;

namespace PoFT.Trainer.Training.TensorBoard;

/// <summary>
/// A TensorBoard event file read back frame by frame. The framing is TFRecord's, as TorchSharp's
/// <c>SummaryWriter.WriteEvent</c> writes it (src/TorchSharp/Utils/tensorboard/SummaryWriter.cs): the data's length
/// as a little-endian u64, the masked CRC-32C of those 8 bytes, the data (one serialized <c>tensorboard.Event</c>), and
/// the masked CRC-32C of the data. A frame cut short or failing its CRC ends the readable part: only a kill mid-write
/// leaves one, at the end.
/// </summary>
public static class EventFile
{
    /// <summary>One frame: its bytes exactly as written (to keep it verbatim) and its event's step.</summary>
    public readonly record struct Frame(byte[] Bytes, long Step);

    /// <summary>The frames up to the first cut-short or corrupt one.</summary>
    public static List<Frame> ReadFrames(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var frames = new List<Frame>();
        for (var at = 0; at + 12 <= bytes.Length;)
        {
            var length = BitConverter.ToInt64(bytes, at);
            if (MaskedCrc(bytes.AsSpan(at, 8).ToArray()) != BitConverter.ToUInt32(bytes, at + 8) || length < 0 || at + 16 + length > bytes.Length)
                break;
            var data = bytes.AsSpan(at + 12, (int)length).ToArray();
            if (MaskedCrc(data) != BitConverter.ToUInt32(bytes, at + 12 + (int)length))
                break;
            frames.Add(new Frame(bytes.AsSpan(at, 16 + (int)length).ToArray(), Tensorboard.Event.Parser.ParseFrom(data).Step));
            at += 16 + (int)length;
        }
        return frames;
    }

    /// <summary>Rewrites the file with only the frames of steps up to <paramref name="lastStep"/> (the file-version
    /// header, at step 0, stays), dropping any torn tail; atomically, so a kill now loses nothing kept.</summary>
    public static void KeepThroughStep(string path, long lastStep)
    {
        var kept = ReadFrames(path).Where(f => f.Step <= lastStep).SelectMany(f => f.Bytes).ToArray();
        AtomicFile.Write(path, stream => stream.Write(kept));
    }

    /// <summary>TFRecord's masked CRC: CRC-32C rotated right by 15 bits plus a constant, as the writer computes it.</summary>
    private static uint MaskedCrc(byte[] data)
    {
        var crc = CRC32C.process(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8U;
    }
}
