using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PoFT.Shared.Data;

/// <summary>Shard <c>i/N</c> of a data set, chosen by a hash of each sample's id: stable across machines,
/// runs and file orders, so N machines scoring shards 0..N−1 cover every sample exactly once.</summary>
public sealed record SampleShard(int Index, int Count)
{
    public static SampleShard All { get; } = new(0, 1);

    public static SampleShard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out var i) && int.TryParse(parts[1], out var n) && n > 0 && i >= 0 && i < n)
            return new SampleShard(i, n);
        throw new ArgumentException($"--shard '{text}': expected i/N with 0 ≤ i < N, e.g. 0/4");
    }

    /// <summary><c>i/N</c>, as <c>--shard</c> takes it.</summary>
    public override string ToString() => $"{Index}/{Count}";

    public bool Contains(string sampleId) => Count == 1 || IndexOf(sampleId, Count) == Index;

    /// <summary>The index of the shard, of <paramref name="count"/>, that holds the sample.</summary>
    public static int IndexOf(string sampleId, int count) =>
        (int)(BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(sampleId))) % (ulong)count);
}
