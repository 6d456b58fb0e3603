using LatticeFlow.Analysis;
using LatticeFlow.Files;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;
using LatticeFlow.Tests.Runs;

namespace LatticeFlow.Tests.Sampling;

/// <summary>
/// The tests every sampler of the registry (<see cref="Samplers"/>) must pass, run over the registry itself
/// (DESIGN.md, principle 7): the exact free field, agreement at the tutorial point, the same ensemble on any thread count,
/// and an exact resume. How each sampler is run is its <see cref="SamplerCase"/>; one missing fails here.
/// </summary>
[Collection(SamplingCollection.Name)]
public class RegisteredSamplerTests(TrainedModels models, EnsembleCache ensembles)
{
    public static TheoryData<string> Registered() => SamplerCases.Registered();

    /// <summary>Every registered sampler, paired with every interruption point of the resume test.</summary>
    public static TheoryData<string, long> RegisteredWithInterruption()
    {
        var data = new TheoryData<string, long>();
        foreach (string name in Samplers.Names)
            foreach (long at in new long[] { 10, 50, 60 }) data.Add(name, at);
        return data;
    }

    /// <summary>
    /// A registered sampler is in the generic tests: it has a case, a fixed figure style, a settings property in
    /// SampleSettings, a seed offset of its own, and the extra columns it declares.
    /// </summary>
    [Fact]
    public void EveryRegisteredSamplerIsInTheGenericTests()
    {
        Assert.Equal(Samplers.Names.Order(), SamplerCases.All.Select(c => c.Name).Order());
        Assert.Equal(Samplers.Names.Order(), FigureStyle.KnownAlgorithms.Order());
        Assert.Equal(Samplers.Names.Count(), Samplers.Names.Distinct().Count());
        Assert.Equal(Samplers.Names.Count(), Samplers.All.Select(k => k.SeedOffset).Distinct().Count());
        Assert.All(Samplers.All, k => Assert.InRange(k.SeedOffset, 0UL, 9UL));
        var defaults = new SampleSettings { Algorithm = "hmc", Geometry = new LatticeGeometry(6, 4), Action = Phi4Couplings.Tutorial, OutputDirectory = "" };
        using var device = LatticeFlow.Devices.DeviceFactory.Create("cpu", 1);
        foreach (var kind in Samplers.All)
        {
            Assert.Equal(kind.SettingsType, defaults.SettingsOf(kind).GetType());
            Assert.Equal(kind.Defaults, defaults.SettingsOf(kind));
            Assert.Equal(kind.Name, defaults.With(kind.Defaults) with { Algorithm = kind.Name } is var s ? s.Sampler.Name : "");
            var configured = SamplerCases.For(kind.Name).Configure(s, models, CasePurpose.Short);
            using var sampler = kind.Create(new SamplerContext(device, configured.Geometry, 2, configured.Action, 1, 0), configured.SettingsOf(kind));
            Assert.Equal(kind.Name, sampler.Name);
            Assert.Equal(kind.ExtraColumns, sampler.ExtraColumns);
            Assert.True(kind.Benchmark is not null || kind == Samplers.Flow, $"{kind.Name} has no benchmark case");
        }
    }

    private static readonly (int Dx, int Dy)[] Separations = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 3), (3, 4)];

    /// <summary>
    /// The sharpest correctness test there is: at λ = 0 every sampler reproduces the exact propagator ⟨φ(x)φ(0)⟩ of
    /// DESIGN.md within 4 standard errors that include autocorrelation (Γ-method, chains as replicas). A rectangular
    /// lattice catches any mix-up of Lx and Ly.
    /// </summary>
    [Theory]
    [MemberData(nameof(Registered))]
    public void ReproducesTheExactFreeFieldPropagator(string algorithm)
    {
        var c = SamplerCases.For(algorithm);
        var g = c.FreeFieldGeometry;
        var couplings = Phi4Couplings.Standard(c.FreeFieldM2, 0);
        using var tmp = new TempDir();
        var s = c.Configure(new SampleSettings
        {
            Algorithm = algorithm, Geometry = g, Action = couplings, OutputDirectory = tmp.Sub("ff"), Configurations = c.FreeFieldConfigurations,
            Thermalization = c.FreeFieldThermalization, Chains = c.FreeFieldChains, Seed = c.FreeFieldSeed, Device = "cpu",
        }, models, CasePurpose.FreeField);
        var result = SampleRun.Execute(s, ProgressReporter.Silent, default);
        Assert.InRange(result.MeanAcceptance, 0.02, 0.98);
        using var e = Ensemble.Open(s.OutputDirectory, g, s.Chains, s.Configurations);
        foreach (var (dx, dy) in Separations)
        {
            double exact = FreeField.Propagator(g.Lx, g.Ly, c.FreeFieldM2, dx, dy);
            var r = GammaMethod.Analyze(e.Correlator(dx, dy));
            Assert.True(r.Reliable, $"{algorithm} G({dx},{dy}): too few data (τ_int {r.TauInt})");
            Assert.True(Math.Abs(r.Value - exact) < 4 * r.Error,
                $"{algorithm} G({dx},{dy}) = {r.Value} ± {r.Error}, exact {exact} ({(r.Value - exact) / r.Error:F1}σ)");
        }
    }

    /// <summary>The run of <paramref name="algorithm"/> at the tutorial point L = 8, m² = −4, λ = 8 (shared by every test that reads it).</summary>
    public static string TutorialRun(string algorithm, TrainedModels models, EnsembleCache ensembles) => ensembles.Get($"tutorial-{algorithm}", dir =>
    {
        var c = SamplerCases.For(algorithm);
        return c.Configure(new SampleSettings
        {
            Algorithm = algorithm, Geometry = LatticeGeometry.Square(8), Action = Phi4Couplings.Tutorial, OutputDirectory = dir,
            Configurations = c.TutorialConfigurations, Thermalization = c.TutorialThermalization, Chains = c.TutorialChains, Seed = c.TutorialSeed, Device = "cpu",
        }, models, CasePurpose.Tutorial);
    });

    /// <summary>⟨|M|⟩/V, χ₂ and E of a run's measurements (chains as replicas).</summary>
    public static (string Name, GammaResult Value)[] Bulk(MeasurementTable t, double v) =>
    [
        ("<|M|>/V", GammaMethod.Derived(Ensemble.Replicas(t.Column("absM")), a => a[0] / v)),
        ("chi2", GammaMethod.Derived(Ensemble.Replicas(t.Column("M2"), t.Column("M")), a => (a[0] - a[1] * a[1]) / v)),
        ("E", GammaMethod.Derived(Ensemble.Replicas(t.Column("ising_product"), t.Column("M")), a => a[0] - a[1] * a[1] / (v * v))),
    ];

    /// <summary>
    /// Independent algorithms for the same distribution agree within 4σ on ⟨|M|⟩/V, χ₂ and E at the tutorial point: each
    /// sampler against HMC, and HMC against local Metropolis.
    /// </summary>
    [Theory]
    [MemberData(nameof(Registered))]
    public void AgreesWithHmcAtTheTutorialPoint(string algorithm)
    {
        string reference = algorithm == Samplers.Hmc.Name ? Samplers.Metropolis.Name : Samplers.Hmc.Name;
        double v = 64;
        Agreement.Assert(Bulk(MeasurementTable.Load(TutorialRun(algorithm, models, ensembles)), v), algorithm,
            Bulk(MeasurementTable.Load(TutorialRun(reference, models, ensembles)), v), reference);
    }

    private SampleSettings Short(string algorithm, string dir, int threads = 0, bool resume = false) =>
        SamplerCases.For(algorithm).Configure(ShortRun.Settings(algorithm, dir, threads, resume), models, CasePurpose.Short);

    private static readonly string[] DataFiles = [RunFiles.Fields, RunFiles.Measurements, RunFiles.Timeslices];

    private static void AssertSameFiles(string a, string b)
    {
        foreach (var f in DataFiles)
            Assert.True(File.ReadAllBytes(RunFiles.Path(a, f)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(b, f))), $"{f} differs");
    }

    [Theory]
    [MemberData(nameof(Registered))]
    public void SameSeedGivesByteIdenticalEnsembleForAnyThreadCount(string algorithm)
    {
        using var tmp = new TempDir();
        SampleRun.Execute(Short(algorithm, tmp.Sub("a"), threads: 2), ProgressReporter.Silent, default);
        SampleRun.Execute(Short(algorithm, tmp.Sub("b"), threads: 1), ProgressReporter.Silent, default);
        SampleRun.Execute(Short(algorithm, tmp.Sub("c"), threads: 2), ProgressReporter.Silent, default);
        AssertSameFiles(tmp.Sub("a"), tmp.Sub("b"));
        AssertSameFiles(tmp.Sub("a"), tmp.Sub("c"));
        SampleRun.Execute(Short(algorithm, tmp.Sub("d")) with { Seed = 2025 }, ProgressReporter.Silent, default);
        Assert.False(File.ReadAllBytes(RunFiles.Path(tmp.Sub("a"), RunFiles.Fields)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(tmp.Sub("d"), RunFiles.Fields))));
    }

    /// <summary>Interrupted during thermalisation (update 10), mid-interval in production (50), and at a save (60).</summary>
    [Theory]
    [MemberData(nameof(RegisteredWithInterruption))]
    public void ResumeAfterInterruptionEqualsUninterruptedRun(string algorithm, long interruptAt)
    {
        using var tmp = new TempDir();
        var whole = SampleRun.Execute(Short(algorithm, tmp.Sub("whole")), ProgressReporter.Silent, default);
        Assert.True(whole.Completed);

        using var cts = new CancellationTokenSource();
        var part = SampleRun.Execute(Short(algorithm, tmp.Sub("split")), ProgressReporter.Silent, cts.Token,
            step => { if (step == interruptAt) cts.Cancel(); });
        Assert.False(part.Completed);
        Assert.Equal(interruptAt, part.Updates);
        Assert.Equal("interrupted", RunMeta.Read(tmp.Sub("split")).Status);

        var rest = SampleRun.Execute(Short(algorithm, tmp.Sub("split"), resume: true), ProgressReporter.Silent, default);
        Assert.True(rest.Completed);
        Assert.Equal("complete", RunMeta.Read(tmp.Sub("split")).Status);
        AssertSameFiles(tmp.Sub("whole"), tmp.Sub("split"));
        Assert.Equal(whole.Acceptance, rest.Acceptance);
    }
}

/// <summary>Agreement of independent samplers on the same distribution.</summary>
public static class Agreement
{
    /// <summary>Two samplers' <see cref="RegisteredSamplerTests.Bulk"/> figures agree within 4σ (errors added in quadrature), each determined.</summary>
    public static void Assert((string Name, GammaResult Value)[] mine, string myName, (string Name, GammaResult Value)[] theirs, string theirName)
    {
        for (int i = 0; i < mine.Length; i++)
        {
            var (name, a) = mine[i];
            var b = theirs[i].Value;
            Xunit.Assert.True(a.Reliable && b.Reliable, $"{name}: chains too short (τ_int {myName} {a.TauInt}, {theirName} {b.TauInt})");
            double sigma = Math.Sqrt(a.Error * a.Error + b.Error * b.Error);
            Xunit.Assert.True(Math.Abs(a.Value - b.Value) < 4 * sigma, $"{name}: {myName} {a.Value} ± {a.Error}, {theirName} {b.Value} ± {b.Error}");
        }
    }
}
