using PoFT.Exporter.Onnx;
using static PoFT.Exporter.Onnx.OnnxAttributes;
using DataType = PoFT.Exporter.Onnx.Proto.TensorProto.Types.DataType;

namespace PoFT.Exporter;

/// <summary>
/// Rotates each row of the inputs so that its real tokens start at position 0, and the outputs back: the
/// <see cref="FusedMasking.Lengths"/> form describes padding only by each row's length, which means right padding
/// (GroupQueryAttention's keys 0 … seqlens_k), while the graph's contract takes either side (docs/scoring.md, "ONNX
/// graph"). A row's real tokens are contiguous, so rotating left by its count of leading pads right-aligns it;
/// the scorer's rows are right padded already, and for them every rotation is by 0.
/// </summary>
internal sealed class RightAlignedRows
{
    private readonly OnnxGraph _g;
    private readonly string _leading;
    private readonly string _length;

    public string Ids { get; }
    public string Mask { get; }
    public string? ScoreMask { get; }

    private RightAlignedRows(OnnxGraph g, string ids, string mask, string? scoreMask)
    {
        _g = g;
        // [batch, 1]: positions before a row's first real token.
        var before = g.Node("Equal", [g.Node("CumSum", [mask, g.Int64Scalar(1)], "align_tokens_so_far"), g.Int64Scalar(0)], "align_before_first");
        _leading = g.Node("ReduceSum", [g.Node("Cast", [before], "align_before_first_i64", Int("to", (long)DataType.Int64)), g.Int64s(1)], "align_leading", Int("keepdims", 1));
        _length = g.Node("Gather", [g.Node("Shape", [mask], "align_shape"), g.Int64Scalar(1)], "align_seq_len", Int("axis", 0));
        var tokens = Rotation(_length, forward: true, "align_token_index");
        Ids = g.Node("GatherElements", [ids, tokens], "ids_aligned", Int("axis", 1));
        Mask = g.Node("GatherElements", [mask, tokens], "mask_aligned", Int("axis", 1));
        if (scoreMask is not null)
            ScoreMask = g.Node("GatherElements", [scoreMask, Rotation(PairCount(), forward: true, "align_pair_index")], "score_mask_aligned", Int("axis", 1));
    }

    public static RightAlignedRows Build(OnnxGraph g, string ids, string mask, string? scoreMask) => new(g, ids, mask, scoreMask);

    /// <summary>[batch, seq − 1] per-pair outputs of the aligned rows, back at their input positions. Positions that
    /// were padding get the aligned row's trailing padding outputs, which are 0.</summary>
    public string RestorePairs(string aligned, string hint) =>
        _g.Node("GatherElements", [aligned, Rotation(PairCount(), forward: false, "restore_pair_index")], hint, Int("axis", 1));

    /// <summary>[batch, seq, width] per-token outputs of the aligned rows, back at their input positions.</summary>
    public string RestoreTokens(string aligned, string hint)
    {
        var index = _g.Node("Unsqueeze", [Rotation(_length, forward: false, "restore_token_index"), _g.Int64s(-1)], "restore_token_index_3d");
        var expanded = _g.Node("Expand", [index, _g.Node("Shape", [aligned], "restore_token_shape")], "restore_token_index_wide");
        return _g.Node("GatherElements", [aligned, expanded], hint, Int("axis", 1));
    }

    private string PairCount() => _g.Node("Sub", [_length, _g.Int64Scalar(1)], "align_pair_count");

    // [batch, n]: (t + leading) mod n reads the aligned row from the input; (t − leading + n) mod n the way back.
    private string Rotation(string n, bool forward, string hint)
    {
        var t = _g.Node("Unsqueeze", [_g.Node("Range", [_g.Int64Scalar(0), n, _g.Int64Scalar(1)], $"{hint}_range"), _g.Int64s(0)], $"{hint}_row");
        var shifted = forward
            ? _g.Node("Add", [t, _leading], $"{hint}_shifted")
            : _g.Node("Add", [_g.Node("Sub", [t, _leading], $"{hint}_back"), n], $"{hint}_shifted");
        return _g.Node("Mod", [shifted, n], hint);
    }
}
