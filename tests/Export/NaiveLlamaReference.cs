using PoFT.Checkpoints;
using static PoFT.Checkpoints.ExpectedTensors;

namespace PoFT.Tests.Export;

/// <summary>
/// Hugging Face LlamaForCausalLM written the slow, obvious way: one unpadded sequence, double precision,
/// explicit loops. It shares nothing with the exporter but the checkpoint reader (which also cuts Phi-3's fused
/// qkv_proj and gate_up_proj into their rows) and the RoPE frequencies of the global layers other than longrope's.
/// Gemma 3's pieces follow Gemma3TextModel, Gemma3DecoderLayer, Gemma3Attention, Gemma3MLP and Gemma3RMSNorm in
/// transformers' modeling_gemma3.py (commit 0018aa64).
/// </summary>
internal sealed class NaiveLlamaReference
{
    private readonly Checkpoint _checkpoint;
    private readonly ModelConfig _c;
    private readonly double[] _inverseFrequencies;
    private readonly double[]? _localInverseFrequencies;
    private readonly Dictionary<string, float[]> _weights = new(StringComparer.Ordinal);

    public NaiveLlamaReference(Checkpoint checkpoint)
    {
        _checkpoint = checkpoint;
        _c = checkpoint.Config;
        _inverseFrequencies = [.. RotaryFrequencies.Compute(_c).Select(f => (double)f)];
        // Gemma 3's rotary_emb_local: plain RoPE at rope_local_base_freq, no scaling.
        if (_c.LocalRopeTheta is { } local)
            _localInverseFrequencies = [.. Enumerable.Range(0, _c.HeadDim / 2).Select(i => 1 / Math.Pow(local, 2.0 * i / _c.HeadDim))];
    }

    private bool Gemma => _c.Architecture is "Gemma2ForCausalLM" or "Gemma3ForCausalLM";

    // Gemma2ForCausalLM and Gemma2Attention (modeling_gemma2.py, commit 0018aa64): s → c·tanh(s / c).
    private static double Cap(double s, double? softcap) => softcap is { } c ? c * Math.Tanh(s / c) : s;

    // layer_types as HF reads them; a model without (Mistral) slides on every layer when it has a window.
    private bool Sliding(int layer) => _c.SlidingWindow is not null && (_c.LayerTypes.Count == 0 || _c.LayerTypes[layer] == "sliding_attention");

    /// <summary>Logits [position][vocab] of an unpadded sequence.</summary>
    public double[][] Logits(int[] tokens)
    {
        var embedding = W(Embedding);
        // Gemma3TextScaledWordEmbedding: embeddings times sqrt(hidden_size).
        var embeddingScale = Gemma ? Math.Sqrt(_c.HiddenSize) : 1;
        var x = tokens.Select(t => embedding.Skip(t * _c.HiddenSize).Take(_c.HiddenSize).Select(v => v * embeddingScale).ToArray()).ToArray();
        for (var layer = 0; layer < _c.NumHiddenLayers; layer++)
        {
            var normed = x.Select(row => RmsNorm(row, W(Layer(layer, "input_layernorm.weight")))).ToArray();
            var attention = Attention(layer, normed);
            if (Gemma)
            {
                // Gemma3DecoderLayer: post_attention_layernorm on the attention output, then the MLP between
                // pre_ and post_feedforward_layernorm, each before its residual add.
                x = [.. x.Select((row, t) => Add(row, RmsNorm(attention[t], W(Layer(layer, "post_attention_layernorm.weight")))))];
                var gemmaMlp = x.Select(row => RmsNorm(Mlp(layer, RmsNorm(row, W(Layer(layer, "pre_feedforward_layernorm.weight")))), W(Layer(layer, "post_feedforward_layernorm.weight")))).ToArray();
                x = [.. x.Select((row, t) => Add(row, gemmaMlp[t]))];
                continue;
            }
            x = [.. x.Select((row, t) => Add(row, attention[t]))];
            var mlp = x.Select(row => Mlp(layer, RmsNorm(row, W(Layer(layer, "post_attention_layernorm.weight"))))).ToArray();
            x = [.. x.Select((row, t) => Add(row, mlp[t]))];
        }
        var head = W(_c.TieWordEmbeddings ? Embedding : LmHead);
        return [.. x.Select(row => Linear(head, _c.VocabSize, RmsNorm(row, W(FinalNorm))).Select(z => Cap(z, _c.FinalLogitSoftcap)).ToArray())];
    }

    /// <summary>log p(tokens[t+1] | tokens[..t]) for t = 0 .. n−2.</summary>
    public double[] TokenLogProbs(int[] tokens)
    {
        var logits = Logits(tokens);
        return [.. Enumerable.Range(0, tokens.Length - 1).Select(t => LogSoftmaxAt(logits[t], tokens[t + 1]))];
    }

    public static double LogSoftmaxAt(double[] logits, int index)
    {
        var max = logits.Max();
        return logits[index] - max - Math.Log(logits.Sum(l => Math.Exp(l - max)));
    }

    private double[][] Attention(int layer, double[][] x)
    {
        int n = x.Length, d = _c.HeadDim;
        // Gemma 3's sliding layers turn by their own, unscaled θ; every other layer by the config's RoPE.
        var sliding = Sliding(layer);
        var rope = sliding && _localInverseFrequencies is { } local ? (local, 1.0) : RopeFor(n);
        var q = x.Select((row, t) => Rope(HeadNorm(layer, "q_norm", Projection(layer, "q_proj", _c.NumAttentionHeads * d, row)), t, rope)).ToArray();
        var k = x.Select((row, t) => Rope(HeadNorm(layer, "k_norm", Projection(layer, "k_proj", _c.NumKeyValueHeads * d, row)), t, rope)).ToArray();
        // Gemma3Attention's scaling: query_pre_attn_scalar ** -0.5.
        var scale = 1 / Math.Sqrt(_c.QueryPreAttnScalar ?? d);
        var v = x.Select(row => Projection(layer, "v_proj", _c.NumKeyValueHeads * d, row)).ToArray();
        var output = new double[n][];
        for (var t = 0; t < n; t++)
        {
            output[t] = new double[_c.NumAttentionHeads * d];
            for (var h = 0; h < _c.NumAttentionHeads; h++)
            {
                var kvHead = h / _c.KeyValueGroups;
                // The sliding window: the last sliding_window keys, the query's own included.
                var first = sliding ? Math.Max(0, t - _c.SlidingWindow!.Value + 1) : 0;
                var scores = Enumerable.Repeat(double.NegativeInfinity, t + 1).ToArray();
                for (var j = first; j <= t; j++)
                {
                    scores[j] = 0;
                    for (var i = 0; i < d; i++)
                        scores[j] += q[t][h * d + i] * k[j][kvHead * d + i];
                    scores[j] = Cap(scores[j] * scale, _c.AttentionLogitSoftcap);
                }
                var max = scores.Max();
                var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
                var total = weights.Sum();
                for (var j = first; j <= t; j++)
                    for (var i = 0; i < d; i++)
                        output[t][h * d + i] += weights[j] / total * v[j][kvHead * d + i];
            }
        }
        var oBias = _c.OutputProjectionBias ? W(Layer(layer, "self_attn.o_proj.bias")) : null;
        return [.. output.Select(row => AddBias(Linear(W(Layer(layer, "self_attn.o_proj.weight")), _c.HiddenSize, row), oBias))];
    }

    private double[] Projection(int layer, string name, int outFeatures, double[] x)
    {
        var bias = _c.QkvBias ? W(Layer(layer, $"self_attn.{name}.bias")) : null;
        return AddBias(Linear(W(Layer(layer, $"self_attn.{name}.weight")), outFeatures, x), bias);
    }

    // Qwen3Attention (transformers' modeling_qwen3.py, commit 9ee3f431): q_norm(q_proj(x).view(..., -1, head_dim))
    // and the same for k, a Qwen3RMSNorm over each head's head_dim values with eps = rms_norm_eps, before RoPE.
    private double[] HeadNorm(int layer, string norm, double[] heads)
    {
        if (!_c.QkNorm)
            return heads;
        var weight = W(Layer(layer, $"self_attn.{norm}.weight"));
        return [.. heads.Chunk(_c.HeadDim).SelectMany(head => RmsNorm(head, weight))];
    }

    // Phi-3's longrope from the formula of _compute_longrope_parameters and Phi3RotaryEmbedding (transformers'
    // modeling_rope_utils.py, commit 0044e3b3; modeling_phi3.py, commit 43c2b481), not from RotaryFrequencies:
    // inv_freq = 1 / (ext · θ^(2i/d)), ext the long factors when the sequence (here: the one sample) is longer
    // than original_max_position_embeddings, and cos, sin times sqrt(1 + ln(max / original) / ln(original)).
    private (double[] Frequencies, double Scaling) RopeFor(int length)
    {
        if (_c.RopeScaling is not { Type: "longrope" } s)
            return (_inverseFrequencies, 1.0);
        var ext = length > s.OriginalMaxPositionEmbeddings ? s.LongFactor! : s.ShortFactor!;
        var frequencies = Enumerable.Range(0, _c.RotaryDim / 2).Select(i => 1 / (ext[i] * Math.Pow(_c.RopeTheta, 2.0 * i / _c.RotaryDim))).ToArray();
        var factor = (double)_c.MaxPositionEmbeddings / s.OriginalMaxPositionEmbeddings;
        return (frequencies, s.AttentionFactor ?? (factor > 1 ? Math.Sqrt(1 + Math.Log(factor) / Math.Log(s.OriginalMaxPositionEmbeddings)) : 1));
    }

    // rotate_half convention: element i pairs with i + r/2 within the first r = rotary_dim values of each head;
    // the rest (Phi-4-mini's partial_rotary_factor) are copied as they are.
    private double[] Rope(double[] heads, int position, (double[] Frequencies, double Scaling) rope)
    {
        int d = _c.HeadDim, half = _c.RotaryDim / 2;
        var rotated = (double[])heads.Clone();
        for (var h = 0; h < heads.Length / d; h++)
            for (var i = 0; i < half; i++)
            {
                double angle = position * rope.Frequencies[i], cos = rope.Scaling * Math.Cos(angle), sin = rope.Scaling * Math.Sin(angle);
                double a = heads[h * d + i], b = heads[h * d + i + half];
                rotated[h * d + i] = a * cos - b * sin;
                rotated[h * d + i + half] = b * cos + a * sin;
            }
        return rotated;
    }

    private double[] Mlp(int layer, double[] x)
    {
        var gate = Linear(W(Layer(layer, "mlp.gate_proj.weight")), _c.IntermediateSize, x);
        var up = Linear(W(Layer(layer, "mlp.up_proj.weight")), _c.IntermediateSize, x);
        var hidden = gate.Select((g, i) => (Gemma ? GeluTanh(g) : g / (1 + Math.Exp(-g))) * up[i]).ToArray();
        return Linear(W(Layer(layer, "mlp.down_proj.weight")), _c.HiddenSize, hidden);
    }

    // ACT2FN["gelu_pytorch_tanh"]: torch's gelu with approximate="tanh".
    private static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    // Gemma3RMSNorm scales by (1 + weight); the others by weight.
    private double[] RmsNorm(double[] x, float[] weight)
    {
        var inverseRms = 1 / Math.Sqrt(x.Sum(v => v * v) / x.Length + _c.RmsNormEps);
        var offset = Gemma ? 1.0 : 0.0;
        return [.. x.Select((v, i) => v * inverseRms * (offset + weight[i]))];
    }

    // PyTorch layout: weight is [out, in] row-major.
    private static double[] Linear(float[] weight, int outFeatures, double[] x)
    {
        var y = new double[outFeatures];
        for (var o = 0; o < outFeatures; o++)
            for (var i = 0; i < x.Length; i++)
                y[o] += weight[o * x.Length + i] * x[i];
        return y;
    }

    private static double[] AddBias(double[] y, float[]? bias) => bias is null ? y : [.. y.Select((v, i) => v + bias[i])];

    private static double[] Add(double[] a, double[] b) => [.. a.Select((v, i) => v + b[i])];

    private float[] W(string name)
    {
        if (!_weights.TryGetValue(name, out var values))
            _weights[name] = values = _checkpoint.ReadFloat32(name);
        return values;
    }
}
