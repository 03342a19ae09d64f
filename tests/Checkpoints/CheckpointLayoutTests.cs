using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using PoFT.Checkpoints;
using PoFT.Tests.Support;
using PoFT.Trainer.Model;

namespace PoFT.Tests.Checkpoints;

public class CheckpointLayoutTests
{
    // Hugging Face's tensor names and shapes for a 2-layer Qwen2 (q/k/v biases, untied head) with
    // hidden 32, 4 heads of 8, 2 kv heads, intermediate 48, vocab 97 — written out by hand.
    private static readonly (string Name, long[] Shape)[] Qwen2Expected =
    [
        ("model.embed_tokens.weight", [97, 32]),
        .. Enumerable.Range(0, 2).SelectMany(i => new (string, long[])[]
        {
            ($"model.layers.{i}.input_layernorm.weight", [32]),
            ($"model.layers.{i}.self_attn.q_proj.weight", [32, 32]),
            ($"model.layers.{i}.self_attn.q_proj.bias", [32]),
            ($"model.layers.{i}.self_attn.k_proj.weight", [16, 32]),
            ($"model.layers.{i}.self_attn.k_proj.bias", [16]),
            ($"model.layers.{i}.self_attn.v_proj.weight", [16, 32]),
            ($"model.layers.{i}.self_attn.v_proj.bias", [16]),
            ($"model.layers.{i}.self_attn.o_proj.weight", [32, 32]),
            ($"model.layers.{i}.post_attention_layernorm.weight", [32]),
            ($"model.layers.{i}.mlp.gate_proj.weight", [48, 32]),
            ($"model.layers.{i}.mlp.up_proj.weight", [48, 32]),
            ($"model.layers.{i}.mlp.down_proj.weight", [32, 48]),
        }),
        ("model.norm.weight", [32]),
        ("lm_head.weight", [97, 32]),
    ];

    [Fact]
    public void A_saved_model_has_exactly_the_Hugging_Face_names_and_shapes()
    {
        using var temp = new TempDirectory();
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Build(architecture: "Qwen2ForCausalLM", kvHeads: 2, tied: false), seed: 3);
        ModelCheckpoint.Save(model, temp.Path, tokenizerDirectory: null);

        // Read the header with plain JSON, not with the project's reader.
        var bytes = File.ReadAllBytes(Path.Combine(temp.Path, "model.safetensors"));
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        var tensors = header.Where(p => p.Key != "__metadata__")
            .ToDictionary(p => p.Key, p => p.Value!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray());
        Assert.Equal(Qwen2Expected.Select(e => e.Name).Order(), tensors.Keys.Order());
        foreach (var (name, shape) in Qwen2Expected)
            Assert.Equal(shape, tensors[name]);
        Assert.All(header.Where(p => p.Key != "__metadata__"), p => Assert.Equal("F32", p.Value!["dtype"]!.GetValue<string>()));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "config.json")))!;
        Assert.Equal("Qwen2ForCausalLM", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("qwen2", config["model_type"]!.GetValue<string>());
        Assert.Equal(2, config["num_key_value_heads"]!.GetValue<int>());
    }

    [Fact]
    public void A_tied_model_writes_no_lm_head()
    {
        using var temp = new TempDirectory();
        using var model = ModelCheckpoint.CreateFresh(RandomCheckpoints.Config("gqa-tied"), seed: 1);
        ModelCheckpoint.Save(model, temp.Path, tokenizerDirectory: null);
        using var checkpoint = Checkpoint.Open(temp.Path);
        Assert.Throws<CheckpointFormatException>(() => checkpoint.Entry("lm_head.weight"));
        Assert.True(checkpoint.Config.TieWordEmbeddings);
    }

    [Fact]
    public void Sharded_checkpoints_have_an_index_and_load_like_a_single_file()
    {
        using var temp = new TempDirectory();
        var config = RandomCheckpoints.Config("mha-untied");
        var single = RandomCheckpoints.Write(temp.Sub("single"), config, seed: 5);
        var sharded = RandomCheckpoints.Write(temp.Sub("sharded"), config, seed: 5, maxShardBytes: 20_000);

        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(sharded, "model.safetensors.index.json")))!;
        var shards = index["weight_map"]!.AsObject().Select(p => p.Value!.GetValue<string>()).Distinct().ToList();
        Assert.True(shards.Count > 1);
        Assert.All(shards, s => Assert.True(File.Exists(Path.Combine(sharded, s)), s));

        using var a = Checkpoint.Open(single);
        using var b = Checkpoint.Open(sharded);
        foreach (var spec in ExpectedTensors.For(config))
            Assert.Equal(a.ReadFloat32(spec.Name), b.ReadFloat32(spec.Name));
    }

    [Fact]
    public void Missing_tensor_is_an_error_naming_it()
    {
        using var temp = new TempDirectory();
        var config = RandomCheckpoints.Config("gqa-tied");
        var dir = RandomCheckpoints.Write(temp.Path, config, seed: 1);
        using (var full = Checkpoint.Open(dir)) { }
        RewriteWithout(dir, "model.layers.1.mlp.up_proj.weight");
        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Open(dir));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", error.Message);
    }

    [Fact]
    public void Shape_that_disagrees_with_the_config_is_an_error()
    {
        using var temp = new TempDirectory();
        var dir = RandomCheckpoints.Write(temp.Path, RandomCheckpoints.Config("gqa-tied"), seed: 1);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["intermediate_size"] = 64;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Open(dir));
        Assert.Contains("mlp.gate_proj.weight' has shape [48, 32], config.json requires [64, 32]", error.Message);
    }

    [Fact]
    public void Unsupported_architecture_is_an_error_listing_the_supported_ones()
    {
        using var temp = new TempDirectory();
        var dir = RandomCheckpoints.Write(temp.Path, RandomCheckpoints.Config("gqa-tied"), seed: 1);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["architectures"] = new JsonArray("GPTNeoXForCausalLM");
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Open(dir));
        Assert.Contains("GPTNeoXForCausalLM", error.Message);
        Assert.Contains("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM", error.Message);
    }

    [Fact]
    public void Shard_paths_outside_the_checkpoint_are_refused()
    {
        using var temp = new TempDirectory();
        var dir = RandomCheckpoints.Write(temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 1, maxShardBytes: 20_000);
        var indexPath = Path.Combine(dir, "model.safetensors.index.json");
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        index["weight_map"]!["model.norm.weight"] = "../elsewhere.safetensors";
        File.WriteAllText(indexPath, index.ToJsonString());
        Assert.Contains("outside the checkpoint", Assert.Throws<CheckpointFormatException>(() => Checkpoint.Open(dir)).Message);
    }

    [Fact]
    public void A_tensor_listed_twice_in_the_index_is_an_error_naming_the_index()
    {
        using var temp = new TempDirectory();
        var dir = RandomCheckpoints.Write(temp.Sub("ckpt"), RandomCheckpoints.Config("gqa-tied"), seed: 1, maxShardBytes: 20_000);
        var indexPath = Path.Combine(dir, "model.safetensors.index.json");
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        var firstShard = index["weight_map"]!.AsObject().First().Value!.GetValue<string>();
        File.WriteAllText(indexPath, index.ToJsonString().Replace("\"weight_map\":{", $"\"weight_map\":{{\"model.norm.weight\":\"{firstShard}\",", StringComparison.Ordinal));
        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.Open(dir));
        // System.Text.Json shortens long property names in this message.
        Assert.Contains($"{indexPath}: not valid JSON: Duplicate property 'model.norm.", error.Message);
    }

    private static void RewriteWithout(string dir, string dropped)
    {
        var path = Path.Combine(dir, "model.safetensors");
        List<TensorData> kept;
        using (var file = SafetensorsFile.Open(path))
            kept = [.. file.Tensors.Values.Where(e => e.Name != dropped).Select(e => new TensorData(e.Name, e.DType, e.Shape, file.ReadBytes(e)))];
        SafetensorsWriter.Write(path, kept);
    }
}
