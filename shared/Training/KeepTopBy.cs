using System.Text.Json.Serialization;

namespace PoFT.Shared.Training;

/// <summary>What the hard filter (<c>keep_top</c>) ranks samples by.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KeepTopBy>))]
public enum KeepTopBy
{
    /// <summary>r̄, highest kept: the paper's hard filter.</summary>
    [JsonStringEnumMemberName("rbar")]
    Rbar,

    /// <summary>IFD (the mean of the aligned models' exp(r(y) − r(y|x))), lowest kept: Superfiltering's rule with the aligned models
    /// as scorers; needs scores with IFD (a score file of <c>score --ifd</c>).</summary>
    [JsonStringEnumMemberName("ifd")]
    Ifd,
}
