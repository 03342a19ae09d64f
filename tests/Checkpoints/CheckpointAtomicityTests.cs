using PoFT.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Checkpoints;

public class CheckpointAtomicityTests
{
    [Fact]
    public void A_save_that_fails_midway_leaves_the_previous_checkpoint_intact_and_no_debris()
    {
        using var temp = new TempDirectory();
        var config = RandomCheckpoints.Config("gqa-tied");
        var target = RandomCheckpoints.Write(temp.Sub("ckpt"), config, seed: 1);
        float[] before;
        using (var good = Checkpoint.Open(target))
            before = good.ReadFloat32(ExpectedTensors.Embedding);

        List<TensorData> other;
        var replacement = RandomCheckpoints.Write(temp.Sub("other"), config, seed: 2);
        using (var file = SafetensorsFile.Open(Path.Combine(replacement, Checkpoint.SingleFile)))
            other = [.. file.Tensors.Values.Select(e => new TensorData(e.Name, e.DType, e.Shape, file.ReadBytes(e)))];
        var error = Assert.Throws<IOException>(() => Checkpoint.Save(target, config, other, tokenizerDirectory: null,
            writeExtra: _ => throw new IOException("No space left on device")));

        Assert.Contains("No space left", error.Message);
        using (var still = Checkpoint.Open(target))
            Assert.Equal(before, still.ReadFloat32(ExpectedTensors.Embedding));
        Assert.Equal(["ckpt", "other"], Directory.GetDirectories(temp.Path).Select(Path.GetFileName).Order());
    }
}
