namespace PoFT.Text.Chat;

/// <summary>
/// A sample as one model sees it. <see cref="ResponseMask"/>[t] says whether token t's log-probability (predicted
/// from the tokens before it) belongs to the score; token 0 is never scored since nothing predicts it.
/// </summary>
public sealed record TokenizedSample(string Id, int[] TokenIds, bool[] ResponseMask)
{
    public int ResponseTokenCount => ResponseMask.Count(m => m);
}
