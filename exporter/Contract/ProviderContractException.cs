using PoFT.Shared;

namespace PoFT.Exporter.Contract;

/// <summary>A scoring graph that an execution provider would refuse, or would run partly on the CPU: names the
/// node, its op and the rule of <see cref="ProviderKernels"/> it breaks.</summary>
public sealed class ProviderContractException(string message) : PoftUserException(message);
