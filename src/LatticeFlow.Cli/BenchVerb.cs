using CommandLine;
using LatticeFlow.Benchmarks;
using LatticeFlow.Devices;
using LatticeFlow.Flows;

namespace LatticeFlow.Cli;

[Verb("bench", HelpText = "Measure sampler, flow-training and analysis throughput on this machine.")]
public sealed class BenchVerb : IVerb
{
    [Option("device", Default = "cpu", MetaValue = "NAME", HelpText = "cpu | cuda | opencl | auto."), Setting(SettingNames.Device)] public string Device { get; set; } = "cpu";
    [Option("simd", Default = "auto", MetaValue = "MODE", HelpText = "Host SIMD twins of the hot kernels on the CPU: auto (the widest this CPU runs) | off (the kernel bodies) | avx2 | avx512."), Setting(SettingNames.Simd)] public string Simd { get; set; } = "auto";
    [Option("sizes", Default = "64,256", HelpText = "Lattice sizes L for the samplers, comma separated.")] public string Sizes { get; set; } = "64,256";
    [Option("seconds", Default = 3.0, HelpText = "Timed seconds per sampler case.")] public double Seconds { get; set; }
    [Option("flow-steps", Default = 100, HelpText = "Timed training steps of the tutorial flow (0: skip).")] public int FlowSteps { get; set; }

    public int Run()
    {
        int[] sizes;
        try { sizes = [.. Sizes.Split(',').Select(int.Parse)]; }
        catch (FormatException) { throw new InvalidInputException($"--sizes {Sizes}: expected comma-separated integers"); }
        DeviceFactory.Check(Device, Simd);
        Console.WriteLine($"# LatticeFlow benchmarks: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {CodeVersion.Current}");
        Console.WriteLine("## samplers (tutorial couplings m2 = -4, lam = 8; Metropolis one hit per site; HMC leapfrog, 10 steps)");
        foreach (var _ in EngineBenchmark.Run(Device, sizes, Seconds, Console.Out, Simd)) { }
        Console.WriteLine("## analysis");
        GammaBenchmark.Run(Console.Out);
        if (FlowSteps > 0)
        {
            Console.WriteLine("## flow training");
            FlowBenchmark.Run(Console.Out, FlowSteps, Device, simd: Simd);
            Console.WriteLine("## flow Metropolis-Hastings");
            FlowSamplerBenchmark.Run(Console.Out, [8, 16, 32], Device, simd: Simd);
        }
        return 0;
    }
}
