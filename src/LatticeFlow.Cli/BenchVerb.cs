using CommandLine;
using LatticeFlow.Benchmarks;
using LatticeFlow.Devices;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Cli;

[Verb("bench", HelpText = "Measure sampler, flow-training and analysis throughput on this machine, with and without the host SIMD twins, and each hot kernel's fraction of peak.")]
public sealed class BenchVerb : IVerb
{
    [Option("device", Default = "cpu", MetaValue = "NAME", HelpText = "cpu | cuda | opencl | auto."), Setting(SettingNames.Device)] public string Device { get; set; } = "cpu";
    [Option("simd", Default = "both", MetaValue = "MODE", HelpText = "both (off and auto side by side, alternating) | auto (the widest SIMD twins this CPU runs) | off (the kernel bodies) | avx2 | avx512."), Setting(SettingNames.Simd)] public string Simd { get; set; } = "both";
    [Option("sizes", Default = "64,256", HelpText = "Lattice sizes L for the samplers, comma separated.")] public string Sizes { get; set; } = "64,256";
    [Option("seconds", Default = 3.0, HelpText = "Timed seconds per sampler case and flow MH size, per SIMD mode, shared out over the rounds.")] public double Seconds { get; set; }
    [Option("flow-steps", Default = 100, HelpText = "Timed training steps of the tutorial flow per SIMD mode, shared out over the rounds (0: skip the flow figures).")] public int FlowSteps { get; set; }
    [Option("rounds", Default = 3, HelpText = "Timed rounds per figure and mode; the best is reported.")] public int Rounds { get; set; }
    [Option("json", MetaValue = "FILE", HelpText = "Also write every figure, round and kernel rate as JSON to FILE.")] public string? Json { get; set; }

    public int Run()
    {
        int[] sizes;
        try { sizes = [.. Sizes.Split(',').Select(int.Parse)]; }
        catch (FormatException) { throw new InvalidInputException($"--sizes {Sizes}: expected comma-separated integers"); }
        if (Rounds < 1) throw new InvalidInputException($"--rounds {Rounds}: must be ≥ 1");
        var modes = SideBySide.ParseModes(Simd);
        DeviceFactory.Check(Device, modes[0]);

        var devices = new List<ComputeDevice>();
        try
        {
            foreach (var mode in modes)
            {
                devices.Add(DeviceFactory.Create(Device, simd: mode));
                if (devices[0] is not ManagedDevice) break; // a GPU runs the bodies: one column
            }
            var used = modes.Take(devices.Count).ToList();
            Console.WriteLine($"# LatticeFlow benchmarks: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {CodeVersion.Current}");
            Console.WriteLine($"# {string.Join(" | ", devices.Select(d => d.Description))}");
            Console.WriteLine(used.Count > 1
                ? $"# each figure timed in {Rounds} rounds alternating {string.Join(", ", used)}; the {SideBySide.Taken} round of each mode is shown; auto/off is the speed-up of the twins"
                : $"# each figure timed in {Rounds} rounds; the {SideBySide.Taken} is shown");
            Console.WriteLine("## machine peak");
            var peak = MachinePeak.Measure();
            foreach (var line in peak.Describe().Split('\n')) Console.WriteLine($"  {line}");

            var bench = new SideBySide(devices, used, Rounds, peak);
            double perRound = Seconds / Rounds;
            Console.WriteLine("## figures (tutorial couplings m2 = -4, lam = 8; Metropolis one hit per site; HMC leapfrog, 10 steps)");
            foreach (int l in sizes)
                foreach (var kind in Samplers.All)
                {
                    if (kind.Benchmark is not SamplerBenchmark b) continue;
                    bench.Measure(b.Figure, l, SamplerCase.ChainsFor(devices[0], l), b.Unit, b.Unit != "ns", d => new SamplerCase(d, kind, l, perRound));
                }
            if (FlowSteps > 0)
            {
                int steps = Math.Max(1, FlowSteps / Rounds);
                bench.Measure(FlowTrainingCase.Figure, 8, 64, "steps/s", true, d => new FlowTrainingCase(d, steps));
                foreach (int l in new[] { 8, 16, 32 })
                    bench.Measure("flow MH proposals/s (tutorial architecture, untrained)", l, 2, "proposals/s", true, d => new FlowSamplerCase(d, l, 2, perRound));
            }
            bench.WriteFigures(Console.Out);
            Console.WriteLine("## kernels: a profiled round after the timed ones; rates against the peak above (flops of the kernel's precision, bytes against the triad)");
            bench.WriteKernels(Console.Out);
            Console.WriteLine("## analysis");
            double gamma = GammaBenchmark.Run(Console.Out);
            if (Json is not null)
            {
                new BenchReport(CodeVersion.Current, DateTime.UtcNow, peak, used, Rounds, SideBySide.Taken, gamma, bench.Figures).Write(Json);
                Console.WriteLine($"# written: {Json}");
            }
        }
        finally
        {
            foreach (var d in devices) d.Dispose();
        }
        return 0;
    }
}
