using System.Buffers.Binary;
using Google.Protobuf;

namespace PoFT.Tests.Support;

/// <summary>
/// An independent reader of TensorBoard event files, for tests: TFRecord framing (u64 length, masked CRC-32C of the
/// length, data, masked CRC-32C of the data; both CRCs checked, with a CRC-32C of its own rather than TorchSharp's) and
/// the few protobuf fields of tensorboard's Event (wall_time 1, step 2, file_version 3, summary 5), Summary (value 1)
/// and Summary.Value (tag 1, simple_value 2, tensor 8 whose string_val is field 8), hand-decoded.
/// </summary>
public static class TensorBoardEvents
{
    public sealed record Scalar(string Tag, long Step, float Value);

    public sealed record Text(string Tag, long Step, string Value);

    public sealed record Contents(string? FileVersion, List<Scalar> Scalars, List<Text> Texts);

    public static Contents Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var contents = new Contents(null, [], []);
        string? version = null;
        for (var at = 0; at < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.Equal(Masked(Crc32C(bytes.AsSpan(at, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            var data = bytes.AsSpan(at + 12, checked((int)length)).ToArray();
            Assert.Equal(Masked(Crc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length)));
            var header = ReadEvent(data, contents);
            version ??= header;
            at += 16 + (int)length;
        }
        return contents with { FileVersion = version };
    }

    /// <returns>The event's file_version, if it is the header.</returns>
    private static string? ReadEvent(byte[] data, Contents contents)
    {
        var input = new CodedInputStream(data);
        long step = 0;
        string? version = null;
        var values = new List<byte[]>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 2: step = input.ReadInt64(); break;
                case 3: version = input.ReadString(); break;
                case 5: values.AddRange(Repeated(input.ReadBytes().ToByteArray(), field: 1)); break;
                default: input.SkipLastField(); break;
            }
        foreach (var value in values)
            ReadValue(value, step, contents);
        return version;
    }

    private static void ReadValue(byte[] value, long step, Contents contents)
    {
        var input = new CodedInputStream(value);
        string tag = "";
        float? scalar = null;
        string? text = null;
        for (uint t; (t = input.ReadTag()) != 0;)
            switch (WireFormat.GetTagFieldNumber(t))
            {
                case 1: tag = input.ReadString(); break;
                case 2: scalar = input.ReadFloat(); break;
                case 8: text = Repeated(input.ReadBytes().ToByteArray(), field: 8).Select(b => System.Text.Encoding.UTF8.GetString(b)).Single(); break;
                default: input.SkipLastField(); break;
            }
        if (scalar is { } s)
            contents.Scalars.Add(new Scalar(tag, step, s));
        if (text is not null)
            contents.Texts.Add(new Text(tag, step, text));
    }

    /// <summary>The length-delimited values of one field of a message.</summary>
    private static List<byte[]> Repeated(byte[] message, int field)
    {
        var input = new CodedInputStream(message);
        var found = new List<byte[]>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                found.Add(input.ReadBytes().ToByteArray());
            else
                input.SkipLastField();
        return found;
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    private static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
