namespace PoFT.Exporter.Precision;

/// <summary>
/// A weight matrix quantized the way ONNX Runtime's <c>com.microsoft.MatMulNBits</c> reads it. Rows are the
/// N outputs, each holding its K inputs in blocks of <see cref="BlockSize"/> (the last one zero-padded):
/// <list type="bullet">
/// <item><see cref="Packed"/> is B, uint8 [N, blocks, BlockSize·Bits/8]; with 4 bits element 2i of a block is
/// the low nibble of byte i and element 2i+1 its high nibble.</item>
/// <item><see cref="Scales"/> is [N·blocks], row-major (row n's blocks together).</item>
/// <item><see cref="ZeroPoints"/> is uint8, per row ⌈blocks·Bits/8⌉ bytes, 4-bit ones packed two to a byte
/// low nibble first like B, so each row starts on a byte.</item>
/// </list>
/// A weight is (q − zero point) · scale. The layout is PyTorch's [out, in] Linear weight row by row, which is
/// why a projection needs no transpose here, unlike the fp32 MatMul's [in, out].
/// </summary>
public sealed record QuantizedMatrix(int Rows, int Columns, int Bits, int BlockSize, byte[] Packed, float[] Scales, byte[] ZeroPoints)
{
    public int BlocksPerRow => (Columns + BlockSize - 1) / BlockSize;
    public int BlobBytes => BlockSize * Bits / 8;
    public int ZeroPointBytesPerRow => (BlocksPerRow * Bits + 7) / 8;
}

/// <summary>
/// Asymmetric round-to-nearest block quantization: each block maps [min(0, lo), max(0, hi)] onto 0…2^bits−1,
/// so its zero point is an integer and every level is used on skewed blocks (symmetric quantization wastes
/// half of them when a block's weights lean one way, which at 4 bits is a whole bit). 0 stays exactly
/// representable, so the zero padding of a short last block dequantizes to 0. The rounding error of a weight
/// is at most half its block's step.
/// </summary>
public static class BlockQuantizer
{
    /// <summary>Quantizes <paramref name="rowMajor"/>, [rows, columns].</summary>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> rowMajor, int rows, int columns, int bits, int blockSize)
    {
        if (bits is not (4 or 8))
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "MatMulNBits weights here are 4 or 8 bits");
        if (rowMajor.Length != (long)rows * columns)
            throw new ArgumentException($"{rowMajor.Length} values for a [{rows}, {columns}] matrix", nameof(rowMajor));
        var shape = new QuantizedMatrix(rows, columns, bits, blockSize, [], [], []);
        int blocks = shape.BlocksPerRow, blob = shape.BlobBytes, maxLevel = (1 << bits) - 1;
        var packed = new byte[(long)rows * blocks * blob];
        var scales = new float[rows * blocks];
        var zeroPoints = new byte[rows * shape.ZeroPointBytesPerRow];
        for (var r = 0; r < rows; r++)
        {
            var row = rowMajor.Slice(r * columns, columns);
            for (var b = 0; b < blocks; b++)
            {
                var start = b * blockSize;
                var block = row.Slice(start, Math.Min(blockSize, columns - start));
                float lo = 0, hi = 0;
                foreach (var w in block)
                {
                    lo = Math.Min(lo, w);
                    hi = Math.Max(hi, w);
                }
                var scale = hi > lo ? (hi - lo) / maxLevel : 1f;
                var zeroPoint = (int)Math.Clamp(MathF.Round(-lo / scale), 0, maxLevel);
                scales[r * blocks + b] = scale;
                SetLevel(zeroPoints, r * shape.ZeroPointBytesPerRow, b, bits, zeroPoint);
                var blobStart = ((long)r * blocks + b) * blob;
                for (var i = 0; i < blockSize; i++)
                {
                    var level = i < block.Length ? (int)Math.Clamp(MathF.Round(block[i] / scale) + zeroPoint, 0, maxLevel) : zeroPoint;
                    SetLevel(packed, blobStart, i, bits, level);
                }
            }
        }
        return shape with { Packed = packed, Scales = scales, ZeroPoints = zeroPoints };
    }

    /// <summary>The matrix the quantized one stands for, [rows, columns] row-major.</summary>
    public static float[] Dequantize(QuantizedMatrix q)
    {
        var values = new float[(long)q.Rows * q.Columns];
        for (var r = 0; r < q.Rows; r++)
            for (var c = 0; c < q.Columns; c++)
            {
                int b = c / q.BlockSize, i = c % q.BlockSize;
                var level = Level(q.Packed, ((long)r * q.BlocksPerRow + b) * q.BlobBytes, i, q.Bits);
                var zeroPoint = Level(q.ZeroPoints, r * q.ZeroPointBytesPerRow, b, q.Bits);
                values[(long)r * q.Columns + c] = (level - zeroPoint) * q.Scales[r * q.BlocksPerRow + b];
            }
        return values;
    }

    private static void SetLevel(byte[] bytes, long start, int index, int bits, int level)
    {
        if (bits == 8)
        {
            bytes[start + index] = (byte)level;
            return;
        }
        var at = start + index / 2;
        bytes[at] = index % 2 == 0 ? (byte)((bytes[at] & 0xF0) | level) : (byte)((bytes[at] & 0x0F) | (level << 4));
    }

    private static int Level(byte[] bytes, long start, int index, int bits) =>
        bits == 8 ? bytes[start + index] : index % 2 == 0 ? bytes[start + index / 2] & 0x0F : bytes[start + index / 2] >> 4;
}
