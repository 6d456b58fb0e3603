namespace LatticeFlow.Analysis;

/// <summary>The names of the files in a run directory (DESIGN.md: the contract with analysis tools).</summary>
public static class RunFiles
{
    public const string Meta = "meta.json";
    public const string Fields = "fields.npy";
    public const string Measurements = "measurements.csv";
    public const string Timeslices = "timeslices.npy";
    public const string Checkpoint = "checkpoint.bin";

    public static string Path(string dir, string file) => System.IO.Path.Combine(dir, file);
}
