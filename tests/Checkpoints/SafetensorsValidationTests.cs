using System.Buffers.Binary;
using System.Text;
using PoFT.Checkpoints;
using PoFT.Tests.Support;

namespace PoFT.Tests.Checkpoints;

public class SafetensorsValidationTests
{
    private static byte[] FileWith(string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    private static CheckpointFormatException OpenFails(byte[] content)
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.safetensors");
        File.WriteAllBytes(path, content);
        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.Contains(path, error.Message);
        return error;
    }

    // Found by fuzzing (scripts/fuzz.sh safetensors): a name that is not UTF-8 was a .NET InvalidOperationException
    // when it was read, after the header had parsed.
    [Theory]
    [InlineData("{\"a\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 3)]
    [InlineData("{\"__metadata__\":{\"format\":\"p\xc3\"}}", 28)]
    public void A_header_that_is_not_utf8_is_refused_naming_the_byte(string latin1Header, int badByte)
    {
        var header = Encoding.Latin1.GetBytes(latin1Header);
        var content = new byte[8 + header.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(content, (ulong)header.Length);
        header.CopyTo(content, 8);
        Assert.Contains($"header is not valid JSON: invalid UTF-8 at byte {badByte}", OpenFails(content).Message);
    }

    [Fact]
    public void Reads_back_what_the_writer_wrote()
    {
        using var temp = new TempDirectory();
        var path = temp.File("t.safetensors");
        float[] a = [1.5f, -2f, 3.25f, 0f, 7f, -0.5f];
        SafetensorsWriter.Write(path, [
            new TensorData("a", SafetensorsDType.F32, [2, 3], a.SelectMany(BitConverter.GetBytes).ToArray()),
            new TensorData("b", SafetensorsDType.BF16, [2], new byte[] { 0x80, 0x3f, 0x00, 0xc0 }),
        ]);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(a, file.ReadFloat32(file["a"]));
        Assert.Equal([1f, -2f], file.ReadFloat32(file["b"]));
        Assert.Equal([2L, 3L], file["a"].Shape);
        var headerSize = BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path));
        Assert.Equal(0UL, headerSize % 8);
    }

    [Fact]
    public void Truncated_file_is_rejected() =>
        Assert.Contains("truncated", OpenFails([1, 2, 3]).Message);

    [Fact]
    public void Header_longer_than_the_file_is_rejected() =>
        Assert.Contains("truncated", OpenFails(FileWith("{}", 0)[..9]).Message);

    [Fact]
    public void Oversized_header_length_is_rejected_before_allocation()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue / 2);
        Assert.Contains("exceeds", OpenFails(bytes).Message);
    }

    [Fact]
    public void Offsets_beyond_the_data_are_rejected() =>
        Assert.Contains("out of range", OpenFails(FileWith("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8)).Message);

    [Fact]
    public void Overlapping_tensors_are_rejected() =>
        Assert.Contains("overlap", OpenFails(FileWith(
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12)).Message);

    [Fact]
    public void Shape_that_does_not_match_its_byte_range_is_rejected() =>
        Assert.Contains("needs 12 bytes", OpenFails(FileWith("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8)).Message);

    // 2^32 · 2^32 elements wrap to 0 in unchecked int64, which matched the empty byte range.
    [Theory]
    [InlineData("[4294967296, 4294967296]", "[0, 0]")]
    [InlineData("[4611686018427387904]", "[0, 8]")]
    public void Shape_whose_size_overflows_int64_is_reported_as_an_overflow(string shape, string offsets) =>
        Assert.Contains("overflows", OpenFails(FileWith($$$"""{"w":{"dtype":"F32","shape":{{{shape}}},"data_offsets":{{{offsets}}}}}""", 8)).Message);

    [Fact]
    public void Writer_refuses_a_shape_whose_element_count_overflows()
    {
        using var temp = new TempDirectory();
        Assert.Throws<OverflowException>(() => SafetensorsWriter.Write(temp.File("w.safetensors"),
            [new TensorData("w", SafetensorsDType.F32, [1L << 32, 1L << 32], ReadOnlyMemory<byte>.Empty)]));
    }

    [Theory]
    [InlineData("""["format", "pt"]""", "__metadata__ must be an object")]
    [InlineData("""{"format": 1}""", "__metadata__['format'] must be a string")]
    public void Metadata_that_is_not_a_map_of_strings_is_rejected(string metadata, string expected) =>
        Assert.Contains(expected, OpenFails(FileWith($$"""{"__metadata__":{{metadata}}}""", 0)).Message);

    [Fact]
    public void Duplicate_tensor_name_is_rejected() =>
        Assert.Contains("Duplicate property 'w'", OpenFails(FileWith(
            """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16)).Message);

    [Fact]
    public void Unknown_dtype_is_rejected() =>
        Assert.Contains("unknown dtype", OpenFails(FileWith("""{"w":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}}""", 8)).Message);

    [Fact]
    public void Header_that_is_not_JSON_is_rejected() =>
        Assert.Contains("not valid JSON", OpenFails(FileWith("{oops", 0)).Message);
}
