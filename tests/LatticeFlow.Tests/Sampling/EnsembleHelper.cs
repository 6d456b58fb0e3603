using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Sampling;

/// <summary>Runs a short ensemble into a temporary run directory and reads it back.</summary>
public sealed class Ensemble : IDisposable
{
    private readonly TempDir _tmp = new();

    public string Directory { get; }
    public LatticeGeometry Geometry { get; }
    public int Chains { get; }
    public long Configurations { get; }

    public Ensemble(string algorithm, LatticeGeometry geometry, Phi4Couplings couplings, int chains, long n, long therm, ulong seed,
        MetropolisSettings? metropolis = null, HmcSettings? hmc = null)
    {
        Directory = _tmp.Sub(algorithm);
        Geometry = geometry;
        Chains = chains;
        Configurations = n;
        SampleRun.Execute(new SampleSettings
        {
            Algorithm = algorithm, Geometry = geometry, Action = couplings, OutputDirectory = Directory,
            Configurations = n, Thermalization = therm, Chains = chains, Seed = seed, Device = "cpu",
            Metropolis = metropolis ?? new(), Hmc = hmc ?? new(),
        }, ProgressReporter.Silent, default);
    }

    private Ensemble(string directory, LatticeGeometry geometry, int chains, long n)
    {
        Directory = directory;
        Geometry = geometry;
        Chains = chains;
        Configurations = n;
    }

    /// <summary>An ensemble some other code wrote.</summary>
    public static Ensemble Open(string directory, LatticeGeometry geometry, int chains, long n) => new(directory, geometry, chains, n);

    public MeasurementTable Table => MeasurementTable.Load(Directory);

    /// <summary>Per chain, per configuration: (1/V) Σ_x φ(x) φ(x + (dx, dy)).</summary>
    public double[][] Correlator(int dx, int dy)
    {
        var (data, _) = NpyReader.Read(RunFiles.Path(Directory, RunFiles.Fields));
        int lx = Geometry.Lx, ly = Geometry.Ly, v = Geometry.Volume;
        var result = new double[Chains][];
        for (int b = 0; b < Chains; b++)
        {
            result[b] = new double[Configurations];
            for (long k = 0; k < Configurations; k++)
            {
                long o = (k * Chains + b) * v;
                double sum = 0;
                for (int x = 0; x < lx; x++)
                for (int y = 0; y < ly; y++)
                    sum += data[o + x * ly + y] * data[o + (x + dx) % lx * ly + (y + dy) % ly];
                result[b][k] = sum / v;
            }
        }
        return result;
    }

    public static double[][][] Replicas(params double[][][] observables) =>
        [.. Enumerable.Range(0, observables[0].Length).Select(b => observables.Select(o => o[b]).ToArray())];

    public void Dispose() => _tmp.Dispose();
}
