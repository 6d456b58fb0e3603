using CommandLine;
using LatticeFlow.Analysis;
using LatticeFlow.Devices;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Cli;

[Verb("demo", HelpText = "The baseline samplers (local Metropolis, HMC, cluster hybrid) at the tutorial point (L = 8, m2 = -4, lam = 8), about a minute on 2 cores.")]
public sealed class DemoVerb : IVerb
{
    /// <summary>The demo's budget: long enough for errors worth reading, short enough for a first look.</summary>
    public const long DemoConfigurations = 20000, DemoThermalization = 2000;
    public const string DemoFolder = "runs";

    [Option("out", MetaValue = "DIR", HelpText = "Folder for the run directories demo-metropolis, demo-hmc and demo-cluster (replaced if they hold runs)."), Setting(SettingNames.OutputDirectory)]
    public string? Out { get; set; }

    [Option("configs", HelpText = "Configurations per sampler."), Setting(SettingNames.Configurations)] public long? Configurations { get; set; }
    [Option("device", MetaValue = "NAME", HelpText = "auto | cpu | cuda | opencl."), Setting(SettingNames.Device)] public string? Device { get; set; }

    [Option("simd", MetaValue = "MODE", HelpText = "Host SIMD twins of the hot kernels on the CPU: auto (the widest this CPU runs) | off (the kernel bodies) | avx2 | avx512."), Setting(SettingNames.Simd)] public string? Simd { get; set; }

    /// <summary>The registered samplers that need no trained model.</summary>
    private static readonly string[] Algorithms = [Samplers.Metropolis.Name, Samplers.Hmc.Name, Samplers.Cluster.Name];

    public IReadOnlyDictionary<string, object?> Defaults => new Dictionary<string, object?>
    {
        [SettingNames.OutputDirectory] = DemoFolder,
        [SettingNames.Configurations] = DemoConfigurations,
        [SettingNames.Device] = Settings("metropolis").Device,
        [SettingNames.Simd] = Settings("metropolis").Simd,
    };

    private SampleSettings Settings(string algorithm) => new()
    {
        Algorithm = algorithm,
        Geometry = LatticeGeometry.Square(8),
        Action = Phi4Couplings.Tutorial,
        OutputDirectory = Path.Combine(Out ?? DemoFolder, "demo-" + algorithm),
        Configurations = Configurations ?? DemoConfigurations,
        Thermalization = DemoThermalization,
        Seed = 1,
        Force = true,
    };

    public int Run()
    {
        // Every run is checked before the first starts, so that a refusal leaves none half done.
        var runs = Algorithms.Select(a => Settings(a) with { Device = Device ?? Settings(a).Device, Simd = Simd ?? Settings(a).Simd }).Select(s => s.Validated()).ToList();
        DeviceFactory.Check(runs[0].Device, runs[0].Simd);
        foreach (var s in runs)
            if (Directory.Exists(s.OutputDirectory) && Directory.EnumerateFileSystemEntries(s.OutputDirectory).Any() && !File.Exists(RunFiles.Path(s.OutputDirectory, RunFiles.Meta)))
                throw new InvalidSettingException(SettingNames.OutputDirectory, Out ?? DemoFolder, $"{s.OutputDirectory} exists and is not a LatticeFlow run; the demo replaces only runs");
        using var cancel = new InterruptHandler();
        foreach (var settings in runs)
        {
            Console.WriteLine($"== {settings.Algorithm}: L = 8, m2 = -4, lam = 8 (the tutorial point of arXiv:2101.08176) -> {settings.OutputDirectory}");
            var result = SampleRun.Execute(settings, ProgressReporter.ForStandardError(), cancel.Token);
            Console.WriteLine(RunSummary.Format(result, settings));
            Console.WriteLine(RunSummary.Observables(settings.OutputDirectory));
            if (!result.Completed) return 130;
        }
        return 0;
    }
}
