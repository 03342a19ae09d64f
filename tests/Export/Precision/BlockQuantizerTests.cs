using PoFT.Exporter.Precision;

namespace PoFT.Tests.Export.Precision;

public sealed class BlockQuantizerTests
{
    [Theory]
    [InlineData(4, 16, 40)]
    [InlineData(4, 32, 64)]
    [InlineData(8, 16, 40)]
    [InlineData(8, 64, 100)]
    public void Every_weight_comes_back_within_half_a_step_of_its_block(int bits, int blockSize, int columns)
    {
        const int rows = 7;
        var weights = Weights(rows, columns, seed: bits * blockSize + columns);
        var q = BlockQuantizer.Quantize(weights, rows, columns, bits, blockSize);
        var back = BlockQuantizer.Dequantize(q);

        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
            {
                var scale = q.Scales[r * q.BlocksPerRow + c / blockSize];
                var error = Math.Abs(back[r * columns + c] - weights[r * columns + c]);
                Assert.True(error <= scale / 2 * (1 + 1e-5), $"[{r}, {c}]: error {error} > half of step {scale}");
            }
        // The step is the block's range over the levels: fine enough to mean something.
        Assert.All(q.Scales, s => Assert.InRange(s, 0f, 4f / ((1 << bits) - 1)));
    }

    [Fact]
    public void Two_4_bit_levels_share_a_byte_low_nibble_first_and_zero_points_pack_the_same_way_per_row()
    {
        // Row 0 is 0, 1, …, 15 then 16 values of −15 … 0: block 0 spans [0, 15] (step 1, zero point 0) and
        // block 1 [−15, 0] (step 1, zero point 15), so every level is the value plus the zero point.
        var row = Enumerable.Range(0, 16).Select(i => (float)i).Concat(Enumerable.Range(0, 16).Select(i => i - 15f)).ToArray();
        var q = BlockQuantizer.Quantize(row, rows: 1, columns: 32, bits: 4, blockSize: 16);

        Assert.Equal([0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE], q.Packed[..8]);
        Assert.Equal([0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE], q.Packed[8..16]);
        Assert.Equal([1f, 1f], q.Scales);
        Assert.Equal([0xF0], q.ZeroPoints);
    }

    [Fact]
    public void An_odd_number_of_4_bit_zero_points_pads_each_row_to_a_byte()
    {
        var q = BlockQuantizer.Quantize(Weights(3, 48, seed: 1), rows: 3, columns: 48, bits: 4, blockSize: 16);

        Assert.Equal(3, q.BlocksPerRow);
        Assert.Equal(2, q.ZeroPointBytesPerRow);
        Assert.Equal(6, q.ZeroPoints.Length);
        Assert.Equal(8, q.BlobBytes);
        Assert.Equal(3 * 3 * 8, q.Packed.Length);
        // The second byte of each row holds one zero point, in its low nibble; the high one is padding.
        Assert.All(Enumerable.Range(0, 3), r => Assert.Equal(0, q.ZeroPoints[r * 2 + 1] >> 4));
    }

    [Fact]
    public void A_block_of_zeros_and_the_padding_of_a_short_block_dequantize_to_exactly_zero()
    {
        var row = new float[20];
        row[17] = 0.5f;
        var q = BlockQuantizer.Quantize(row, rows: 1, columns: 20, bits: 4, blockSize: 16);

        var back = BlockQuantizer.Dequantize(q);
        Assert.All(back[..17], v => Assert.Equal(0f, v));
        Assert.Equal(0.5f, back[17], 6);
        var padding = BlockQuantizer.Dequantize(q with { Columns = 32 });
        Assert.All(padding[20..], v => Assert.Equal(0f, v));
    }

    private static float[] Weights(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        // Skewed blocks (an offset per row) so the zero points are not all the middle level.
        return [.. Enumerable.Range(0, rows * columns).Select(i => (float)(random.NextDouble() * 2 - 1 + (i / columns % 3 - 1) * 0.7))];
    }
}
