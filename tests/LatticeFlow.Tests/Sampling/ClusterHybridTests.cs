using LatticeFlow.Analysis;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Runs;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Sampling;

/// <summary>The cluster hybrid beyond the generic tests (RegisteredSamplerTests): near the paper's ensembles, its settings, its column.</summary>
public class ClusterHybridTests
{
    private static SampleSettings Run(string algorithm, LatticeGeometry g, Phi4Couplings c, string dir, long n, ulong seed, int chains = 4) => new()
    {
        Algorithm = algorithm, Geometry = g, Action = c, OutputDirectory = dir, Configurations = n, Thermalization = 1000,
        Chains = chains, Seed = seed, Device = "cpu",
    };

    /// <summary>
    /// At the albergo2019 point L = 10 (m² = −4, λ = 5.550, m_p·L ≈ 4), where local Metropolis needs τ_int ≈ 40 updates,
    /// the hybrid agrees with HMC on ⟨|M|⟩/V, χ₂ and E within 4σ.
    /// </summary>
    [Fact]
    public void AgreesWithHmcAtAnAlbergoPoint()
    {
        var g = LatticeGeometry.Square(10);
        var c = Phi4Couplings.Standard(-4, 5.550);
        using var tmp = new TempDir();
        var cluster = Run("cluster", g, c, tmp.Sub("cluster"), 6000, 11);
        var hmc = Run("hmc", g, c, tmp.Sub("hmc"), 6000, 12);
        SampleRun.Execute(cluster, ProgressReporter.Silent, default);
        SampleRun.Execute(hmc, ProgressReporter.Silent, default);
        Agreement.Assert(RegisteredSamplerTests.Bulk(MeasurementTable.Load(cluster.OutputDirectory), g.Volume), "cluster",
            RegisteredSamplerTests.Bulk(MeasurementTable.Load(hmc.OutputDirectory), g.Volume), "hmc");
    }

    /// <summary>measurements.csv's cluster_fraction is the mean cluster size over V since the previous row: in (0, 1], NaN with no clusters.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public void TheClusterFractionColumnSaysHowMuchWasFlipped(int clusters)
    {
        using var tmp = new TempDir();
        var s = Run("cluster", LatticeGeometry.Square(8), Phi4Couplings.Tutorial, tmp.Sub("r"), 200, 3, chains: 2) with
        {
            Cluster = new ClusterSettings(Clusters: clusters), SaveEvery = 2,
        };
        SampleRun.Execute(s, ProgressReporter.Silent, default);
        var table = MeasurementTable.Load(s.OutputDirectory);
        var fraction = table.Column(ClusterHybrid.FractionColumn).SelectMany(x => x).ToList();
        Assert.Equal(400, fraction.Count);
        if (clusters == 0) Assert.All(fraction, f => Assert.True(double.IsNaN(f)));
        else
        {
            Assert.All(fraction, f => Assert.InRange(f, 1.0 / 64, 1.0));
            Assert.True(fraction.Distinct().Count() > 10);
        }
        var meta = RunMeta.Read(s.OutputDirectory);
        Assert.Equal(clusters, meta.Algorithm["clusters"].GetInt32());
        Assert.Equal("host", meta.Algorithm["cluster_growth"].GetString());
    }

    /// <summary>
    /// The launcher a GPU uses (ILGPU, here its CPU accelerator): the sweep runs there, the batch is copied to the host for
    /// the clusters and back, and the ensemble is byte for byte the managed path's.
    /// </summary>
    [Fact]
    public void TheIlgpuLauncherGivesTheSameEnsemble()
    {
        using var tmp = new TempDir();
        var cpu = Run("cluster", new LatticeGeometry(6, 4), Phi4Couplings.Tutorial, tmp.Sub("cpu"), 30, 5, chains: 3) with { Thermalization = 10 };
        var ilgpu = cpu with { OutputDirectory = tmp.Sub("ilgpu"), Device = "ilgpu-cpu" };
        SampleRun.Execute(cpu, ProgressReporter.Silent, default);
        SampleRun.Execute(ilgpu, ProgressReporter.Silent, default);
        foreach (var f in new[] { RunFiles.Fields, RunFiles.Measurements, RunFiles.Timeslices })
            Assert.True(File.ReadAllBytes(RunFiles.Path(cpu.OutputDirectory, f)).SequenceEqual(File.ReadAllBytes(RunFiles.Path(ilgpu.OutputDirectory, f))), $"{f} differs");
    }

    [Fact]
    public void NegativeClustersAreRefusedByName()
    {
        var e = Assert.Throws<InvalidSettingException>(() => new ClusterSettings(Clusters: -1).Validated());
        Assert.Equal((SettingNames.Clusters, "-1"), (e.Setting, e.Value));
        using var tmp = new TempDir();
        var s = Run("cluster", LatticeGeometry.Square(4), Phi4Couplings.Tutorial, tmp.Sub("r"), 10, 1) with { Cluster = new ClusterSettings(Clusters: -2) };
        Assert.Equal(SettingNames.Clusters, Assert.Throws<InvalidSettingException>(() => SampleRun.Execute(s, ProgressReporter.Silent, default)).Setting);
        Assert.False(Directory.Exists(tmp.Sub("r")));
    }

    [Fact]
    public void AResumeWithOtherClusterSettingsNamesEachOne()
    {
        using var tmp = new TempDir();
        var s = Run("cluster", LatticeGeometry.Square(4), Phi4Couplings.Tutorial, tmp.Sub("r"), 50, 1);
        SampleRun.Execute(s, ProgressReporter.Silent, default);
        var other = s with { Resume = true, Cluster = new ClusterSettings(Hits: 2, Clusters: 5) };
        var e = Assert.Throws<ResumeMismatchException>(() => SampleRun.Execute(other, ProgressReporter.Silent, default));
        Assert.Equal([new("hits", "2", "1"), new("clusters", "5", "4")], e.Differences);
    }
}
