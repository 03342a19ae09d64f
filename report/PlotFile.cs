namespace PoFT.Report;

/// <summary>A PNG written beside the report and the alt text it is embedded with.</summary>
public sealed record PlotFile(string FileName, string Caption);
