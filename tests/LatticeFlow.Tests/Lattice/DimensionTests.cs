using LatticeFlow.Analysis;
using LatticeFlow.Devices;
using LatticeFlow.Kernels;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Lattice;

/// <summary>
/// A d-dimensional periodic lattice written out with explicit coordinates, independently of LatticeShape's row
/// arithmetic: the reference the kernels are checked against in d = 2, 3, 4.
/// </summary>
public static class NaiveLattice
{
    /// <summary>Every site's coordinates, in C order (the last axis fastest).</summary>
    public static IEnumerable<int[]> Sites(IReadOnlyList<int> extents)
    {
        int volume = extents.Aggregate(1, (v, l) => v * l);
        for (int k = 0; k < volume; k++)
        {
            var x = new int[extents.Count];
            for (int mu = extents.Count - 1, rest = k; mu >= 0; mu--)
            {
                x[mu] = rest % extents[mu];
                rest /= extents[mu];
            }
            yield return x;
        }
    }

    public static int Index(IReadOnlyList<int> extents, int[] x)
    {
        int i = 0;
        for (int mu = 0; mu < extents.Count; mu++) i = i * extents[mu] + ((x[mu] % extents[mu]) + extents[mu]) % extents[mu];
        return i;
    }

    public static int Shifted(IReadOnlyList<int> extents, int[] x, int mu, int step)
    {
        var y = (int[])x.Clone();
        y[mu] += step;
        return Index(extents, y);
    }

    /// <summary>S = Σ_x [Σ_μ (φ(x+μ̂) − φ(x))² + m² φ² + λ φ⁴] of the chain starting at <paramref name="offset"/>.</summary>
    public static double Action(double[] phi, int offset, IReadOnlyList<int> extents, double m2, double lam)
    {
        double s = 0;
        foreach (var x in Sites(extents))
        {
            double p = phi[offset + Index(extents, x)];
            for (int mu = 0; mu < extents.Count; mu++)
            {
                double d = phi[offset + Shifted(extents, x, mu, 1)] - p;
                s += d * d;
            }
            s += m2 * p * p + lam * p * p * p * p;
        }
        return s;
    }

    /// <summary>∂S/∂φ(x) = 2(2d + m²) φ − 2 Σ_μ [φ(x+μ̂) + φ(x−μ̂)] + 4λ φ³.</summary>
    public static double Force(double[] phi, int offset, IReadOnlyList<int> extents, int[] x, double m2, double lam)
    {
        double p = phi[offset + Index(extents, x)], nb = 0;
        for (int mu = 0; mu < extents.Count; mu++)
            nb += phi[offset + Shifted(extents, x, mu, 1)] + phi[offset + Shifted(extents, x, mu, -1)];
        return 2 * (2 * extents.Count + m2) * p - 2 * nb + 4 * lam * p * p * p;
    }
}

/// <summary>
/// The lattice geometry in d = 2, 3, 4 (issue 14): the action, the force, the time-slice observables and the
/// checkerboard of the kernels against <see cref="NaiveLattice"/>, on extents that differ per axis (an axis mix-up
/// fails) and include 2 (where x + μ̂ and x − μ̂ are one site), on the fast CPU path and ILGPU's CPU accelerator.
/// </summary>
public class DimensionTests
{
    public static TheoryData<string, int[]> Cases => new()
    {
        { "cpu", [4, 6] }, { "cpu", [2, 4, 6] }, { "cpu", [4, 6, 2] }, { "cpu", [4, 2, 6, 4] }, { "cpu", [6, 4, 4, 2] },
        { "ilgpu-cpu", [2, 4, 6] }, { "ilgpu-cpu", [4, 2, 2, 6] },
    };

    private const double M2 = -1.3, Lam = 2.1;
    private const int Chains = 3;

    [Theory]
    [MemberData(nameof(Cases))]
    public void ActionAndForceMatchTheNaiveLattice(string deviceName, int[] extents)
    {
        using var device = DeviceFactory.Create(deviceName);
        var g = new LatticeGeometry(extents);
        var c = Phi4Couplings.Standard(M2, Lam);
        using var fields = new FieldBatch(device, g, Chains);
        var phi = TestFields.Random(fields.Sites, 3, 1.5);
        fields.CopyFrom(phi);
        using var action = c.Create(device, g, Chains);
        var s = new double[Chains];
        action.Action(fields, s);
        using var forceBuffer = device.Allocate<double>(fields.Sites);
        action.Force(fields, forceBuffer.View);
        device.Synchronize();
        var force = forceBuffer.GetAsArray1D();
        for (int b = 0; b < Chains; b++)
        {
            int o = b * g.Volume;
            double exact = NaiveLattice.Action(phi, o, extents, M2, Lam);
            Assert.Equal(exact, s[b], 1e-11 * Math.Abs(exact));
            foreach (var x in NaiveLattice.Sites(extents))
                Assert.Equal(NaiveLattice.Force(phi, o, extents, x, M2, Lam), force[o + NaiveLattice.Index(extents, x)], 1e-11);
        }
    }

    /// <summary>The force is the gradient of the action, by central differences of the naive S, in d = 3 and 4.</summary>
    [Theory]
    [InlineData(new[] { 2, 4, 6 })]
    [InlineData(new[] { 4, 2, 2, 4 })]
    public void ForceIsTheGradientOfTheAction(int[] extents)
    {
        using var device = DeviceFactory.Create("cpu");
        var g = new LatticeGeometry(extents);
        var c = Phi4Couplings.Standard(-4, 8);
        using var fields = new FieldBatch(device, g, 1);
        var phi = TestFields.Random(fields.Sites, 11, 1.2);
        fields.CopyFrom(phi);
        using var action = c.Create(device, g, 1);
        using var forceBuffer = device.Allocate<double>(fields.Sites);
        action.Force(fields, forceBuffer.View);
        device.Synchronize();
        var force = forceBuffer.GetAsArray1D();
        const double h = 1e-5;
        for (int i = 0; i < g.Volume; i += 5)
        {
            var plus = (double[])phi.Clone();
            var minus = (double[])phi.Clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (NaiveLattice.Action(plus, 0, extents, c.M2, c.Lambda) - NaiveLattice.Action(minus, 0, extents, c.M2, c.Lambda)) / (2 * h);
            Assert.Equal(numeric, force[i], 1e-6 * Math.Max(1, Math.Abs(numeric)));
        }
    }

    /// <summary>T(t), S and the nearest-neighbour sum per chain against the naive lattice: the time direction is the last axis.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void TimeSlicesAndMeasurementsMatchTheNaiveLattice(string deviceName, int[] extents)
    {
        using var device = DeviceFactory.Create(deviceName);
        var g = new LatticeGeometry(extents);
        var c = Phi4Couplings.Standard(M2, Lam);
        using var fields = new FieldBatch(device, g, Chains);
        var phi = TestFields.Random(fields.Sites, 5, 1.1);
        fields.CopyFrom(phi);
        using var meter = new ConfigurationMeter(device, g, Chains, c);
        var m = new ConfigurationMeasurement[Chains];
        var slices = new double[Chains * g.TimeExtent];
        meter.Measure(fields, m, slices);
        int d = extents.Length, t = d - 1;
        for (int b = 0; b < Chains; b++)
        {
            int o = b * g.Volume;
            var sites = NaiveLattice.Sites(extents).ToList();
            for (int time = 0; time < g.TimeExtent; time++)
                Assert.Equal(sites.Where(x => x[t] == time).Sum(x => phi[o + NaiveLattice.Index(extents, x)]), slices[b * g.TimeExtent + time], 1e-12);
            double nn = sites.Sum(x => phi[o + NaiveLattice.Index(extents, x)]
                * Enumerable.Range(0, d).Sum(mu => phi[o + NaiveLattice.Shifted(extents, x, mu, 1)]));
            Assert.Equal(nn / (d * g.Volume), m[b].IsingProduct, 1e-12);
            Assert.Equal(NaiveLattice.Action(phi, o, extents, M2, Lam) / g.Volume, m[b].ActionDensity, 1e-12);
            Assert.Equal(sites.Sum(x => phi[o + NaiveLattice.Index(extents, x)]), m[b].M, 1e-11);
        }
    }

    /// <summary>
    /// A Metropolis pass over colour p changes only sites with Σ_μ x_μ ≡ p (mod 2), and it changes them: the colours of
    /// the kernels are the checkerboard of the lattice in every d, so same-colour sites never neighbour each other.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void AMetropolisPassTouchesOneCheckerboardColour(string deviceName, int[] extents)
    {
        using var device = DeviceFactory.Create(deviceName);
        var g = new LatticeGeometry(extents);
        using var fields = new FieldBatch(device, g, Chains);
        using var action = Phi4Couplings.Standard(0.5, 0).Create(device, g, Chains);
        using var accepted = device.Allocate<double>(fields.HalfShape.HalfItems);
        var phi = TestFields.Random(fields.Sites, 9, 0.5);
        for (int parity = 0; parity < 2; parity++)
        {
            fields.CopyFrom(phi);
            action.MetropolisHalfSweep(fields, accepted.View, new RngKey(4), 1, parity, 0.3, 1);
            var after = fields.ToHost();
            int changed = 0;
            for (int b = 0; b < Chains; b++)
                foreach (var x in NaiveLattice.Sites(extents))
                {
                    int i = b * g.Volume + NaiveLattice.Index(extents, x);
                    if (x.Sum() % 2 != parity) Assert.Equal(phi[i], after[i]);
                    else if (after[i] != phi[i]) changed++;
                }
            Assert.True(changed > fields.Sites / 4, $"colour {parity}: only {changed} of {fields.Sites / 2} sites moved");
        }
    }

    [Theory]
    [InlineData(new[] { 4 }, "extents")]
    [InlineData(new[] { 4, 4, 4, 4, 4 }, "extents")]
    [InlineData(new[] { 4, 3, 4 }, "extents")]
    [InlineData(new[] { 5, 4 }, "lx")]
    [InlineData(new[] { 4, 0 }, "ly")]
    public void AnUnusableLatticeNamesItsSetting(int[] extents, string setting)
    {
        var e = Assert.Throws<InvalidSettingException>(() => new LatticeGeometry(extents));
        Assert.Equal(setting, e.Setting);
    }

    [Fact]
    public void GeometriesCompareByExtents()
    {
        Assert.Equal(new LatticeGeometry(4, 6, 8), new LatticeGeometry(4, 6, 8));
        Assert.NotEqual(new LatticeGeometry(4, 6, 8), new LatticeGeometry(4, 8, 6));
        Assert.Equal(LatticeGeometry.Hypercube(4, 3), new LatticeGeometry(4, 4, 4));
        Assert.Equal("4x6x8", new LatticeGeometry(4, 6, 8).ToString());
        Assert.Equal(24, new LatticeGeometry(4, 6, 8).SpatialVolume);
        Assert.Throws<InvalidOperationException>(() => new LatticeGeometry(4, 6, 8).Lx);
    }

    /// <summary>The hopping form's m² = (1 − 2λ_h)/κ − 2d depends on d.</summary>
    [Fact]
    public void TheHoppingFormKnowsTheDimension()
    {
        Assert.Equal((1 - 2 * 0.02) / 0.1 - 6, Phi4Couplings.Hopping(0.1, 0.02, 3).M2, 1e-12);
        Assert.Equal((1 - 2 * 0.02) / 0.1 - 4, Phi4Couplings.Hopping(0.1, 0.02).M2, 1e-12);
        Assert.Throws<InvalidSettingException>(() => Phi4Couplings.Hopping(0.2, 0, 3)); // κ ≥ 1/6: the free field's m² ≤ 0
    }
}
