using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Runs;

/// <summary>
/// The short run the run-directory tests share: 2 chains on a 6 × 4 lattice at the tutorial couplings, 40
/// configurations saved every 3rd after 30 of thermalisation, HMC with 4 integrator steps (seconds per run).
/// </summary>
internal static class ShortRun
{
    public static SampleSettings Settings(string algorithm, string dir, int threads = 0, bool resume = false) => new()
    {
        Algorithm = algorithm,
        Geometry = new LatticeGeometry(6, 4),
        Action = Phi4Couplings.Tutorial,
        OutputDirectory = dir,
        Configurations = 40,
        Thermalization = 30,
        SaveEvery = 3,
        Chains = 2,
        Seed = 2024,
        Device = "cpu",
        Threads = threads,
        Resume = resume,
        Hmc = new HmcSettings(Steps: 4),
    };
}
