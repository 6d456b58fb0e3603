using CommandLine;
using LatticeFlow.Benchmarks;

namespace LatticeFlow.Cli;

[Verb("bench", HelpText = "Measure sampler throughput (and the analysis and flow figures) on this machine.")]
public sealed class BenchVerb : IVerb
{
    [Option("device", Default = "cpu", HelpText = "cpu | cuda | opencl | auto")] public string Device { get; set; } = "cpu";
    [Option("sizes", Default = "64,256", HelpText = "Lattice sizes L, comma separated.")] public string Sizes { get; set; } = "64,256";
    [Option("seconds", Default = 3.0, HelpText = "Timed seconds per case.")] public double Seconds { get; set; }

    public int Run()
    {
        int[] sizes;
        try { sizes = [.. Sizes.Split(',').Select(int.Parse)]; }
        catch (FormatException) { throw new InvalidInputException($"--sizes {Sizes}: expected comma-separated integers"); }
        Console.WriteLine($"# LatticeFlow benchmarks ({Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription})");
        foreach (var _ in EngineBenchmark.Run(Device, sizes, Seconds, Console.Out)) { }
        return 0;
    }
}
