using CommandLine;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;

namespace LatticeFlow.Cli;

[Verb("demo", HelpText = "The main job of `make run`: both baseline samplers at the tutorial point (L = 8, m2 = -4, lam = 8).")]
public sealed class DemoVerb : IVerb
{
    [Option("out", Default = "runs", HelpText = "Folder for the run directories demo-metropolis and demo-hmc (replaced if they exist).")]
    public string Out { get; set; } = "runs";

    [Option("configs", HelpText = "--n: configurations per sampler (default 20000).")] public long? Configurations { get; set; }
    [Option("device", Default = "auto", HelpText = "auto | cpu | cuda | opencl")] public string Device { get; set; } = "auto";

    public int Run()
    {
        using var cancel = new InterruptHandler();
        foreach (var algorithm in new[] { "metropolis", "hmc" })
        {
            string dir = Path.Combine(Out, "demo-" + algorithm);
            var settings = new SampleSettings
            {
                Algorithm = algorithm,
                Geometry = LatticeGeometry.Square(8),
                Couplings = Phi4Couplings.Tutorial,
                OutputDirectory = dir,
                Configurations = Configurations ?? 20000,
                Thermalization = 2000,
                Seed = 1,
                Device = Device,
                Force = true,
            }.Validated();
            Console.WriteLine($"== {algorithm}: L = 8, m2 = -4, lam = 8 (the tutorial point of arXiv:2101.08176) -> {dir}");
            var result = SampleRun.Execute(settings, ProgressReporter.ForStandardError(), cancel.Token);
            Console.WriteLine(RunSummary.Format(result, settings));
            Console.WriteLine(RunSummary.Observables(dir));
            if (!result.Completed) return 130;
        }
        return 0;
    }
}
