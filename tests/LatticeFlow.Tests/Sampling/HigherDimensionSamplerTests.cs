using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;
using LatticeFlow.Tests.Lattice;

namespace LatticeFlow.Tests.Sampling;

/// <summary>
/// φ⁴ in d = 3 and 4 (issue 14: dimension is a parameter of the geometry): every registered sampler that runs there
/// reproduces the exact free field, and local Metropolis and HMC agree at an interacting point. Samplers written for
/// d = 2 refuse other lattices by name.
/// </summary>
[Collection(SamplingCollection.Name)]
public class HigherDimensionSamplerTests
{
    /// <summary>Every registered sampler that takes d ≥ 3, on a 3D and a 4D lattice with different extents per axis.</summary>
    public static TheoryData<string, int[]> Cases()
    {
        var data = new TheoryData<string, int[]>();
        foreach (var kind in Samplers.All.Where(k => k.MaxDimensions >= 3))
        {
            data.Add(kind.Name, [4, 6, 8]);
            if (kind.MaxDimensions >= 4) data.Add(kind.Name, [4, 2, 4, 6]);
        }
        return data;
    }

    /// <summary>
    /// ⟨φ(x)φ(x + r)⟩ at λ = 0 within 4σ (Γ-method, chains as replicas) of (1/V) Σ_p cos(p·r) / (2(p̂² + m²)), at
    /// separations along each axis and across them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void ReproducesTheExactFreeFieldPropagator(string algorithm, int[] extents)
    {
        var c = SamplerCases.For(algorithm);
        var g = new LatticeGeometry(extents);
        const double m2 = 0.5;
        using var tmp = new TempDir();
        var s = c.Configure(new SampleSettings
        {
            Algorithm = algorithm, Geometry = g, Action = Phi4Couplings.Standard(m2, 0), OutputDirectory = tmp.Sub("ff"),
            Configurations = c.FreeFieldConfigurations, Thermalization = c.FreeFieldThermalization, Chains = c.FreeFieldChains,
            Seed = c.FreeFieldSeed, Device = "cpu",
        }, null!, CasePurpose.FreeField);
        SampleRun.Execute(s, ProgressReporter.Silent, default);
        var (data, shape) = NpyReader.Read(RunFiles.Path(s.OutputDirectory, RunFiles.Fields));
        Assert.Equal([s.Configurations, s.Chains, .. extents.Select(l => (long)l)], shape);
        int d = extents.Length;
        var separations = Enumerable.Range(0, d).Select(mu => Enumerable.Range(0, d).Select(nu => nu == mu ? 1 : 0).ToArray())
            .Append(new int[d]).Append([.. Enumerable.Range(1, d)]).ToList();
        var sites = NaiveLattice.Sites(extents).ToArray();
        foreach (var r in separations)
        {
            int[] partner = [.. sites.Select(x => NaiveLattice.Index(extents, [.. x.Select((xi, mu) => xi + r[mu])]))];
            var replicas = new double[s.Chains][];
            for (int b = 0; b < s.Chains; b++)
            {
                replicas[b] = new double[s.Configurations];
                for (long k = 0; k < s.Configurations; k++)
                {
                    long o = (k * s.Chains + b) * g.Volume;
                    double sum = 0;
                    for (int i = 0; i < g.Volume; i++) sum += data[o + i] * data[o + partner[i]];
                    replicas[b][k] = sum / g.Volume;
                }
            }
            var result = GammaMethod.Analyze(replicas);
            double exact = FreeField.Propagator(extents, m2, r);
            string at = $"{algorithm} on {g}: G({string.Join(",", r)})";
            Assert.True(result.Reliable, $"{at}: too few data (τ_int {result.TauInt})");
            Assert.True(Math.Abs(result.Value - exact) < 4 * result.Error, $"{at} = {result.Value} ± {result.Error}, exact {exact} ({(result.Value - exact) / result.Error:F1}σ)");
        }
    }

    /// <summary>
    /// Local Metropolis and HMC agree within 4σ on ⟨|M|⟩/V, χ₂ and E on a 4 × 4 × 6 lattice at m² = −1, λ = 4 (symmetric
    /// phase: both tunnel, τ_int ≈ 2 for HMC and ≈ 11 for Metropolis).
    /// </summary>
    [Fact]
    public void MetropolisAndHmcAgreeInThreeDimensions()
    {
        var g = new LatticeGeometry(4, 4, 6);
        var couplings = Phi4Couplings.Standard(-1, 4);
        using var tmp = new TempDir();
        (string Name, GammaResult Value)[] Run(string algorithm, long n, ulong seed)
        {
            var s = new SampleSettings
            {
                Algorithm = algorithm, Geometry = g, Action = couplings, OutputDirectory = tmp.Sub(algorithm), Configurations = n,
                Thermalization = 1000, Chains = 4, Seed = seed, Device = "cpu", SaveFields = false,
            };
            SampleRun.Execute(s, ProgressReporter.Silent, default);
            return RegisteredSamplerTests.Bulk(MeasurementTable.Load(s.OutputDirectory), g.Volume);
        }
        Agreement.Assert(Run("metropolis", 12000, 21), "metropolis", Run("hmc", 4000, 22), "hmc");
    }

    /// <summary>Samplers written for d = 2 refuse a 3D lattice before a directory is touched, naming the setting.</summary>
    [Theory]
    [InlineData("cluster")]
    [InlineData("flow")]
    public void TwoDimensionalSamplersRefuseOtherLattices(string algorithm)
    {
        Assert.True(Samplers.Get(algorithm).MaxDimensions == 2);
        using var tmp = new TempDir();
        var s = new SampleSettings
        {
            Algorithm = algorithm, Geometry = new LatticeGeometry(4, 4, 4), Action = Phi4Couplings.Tutorial,
            OutputDirectory = tmp.Sub("x"), Flow = new FlowMetropolisSettings { ModelPath = tmp.Sub("none.lfm") },
        };
        var e = Assert.Throws<InvalidSettingException>(() => s.Validated());
        Assert.Equal(SettingNames.Extents, e.Setting);
        Assert.False(Directory.Exists(s.OutputDirectory));
    }
}
