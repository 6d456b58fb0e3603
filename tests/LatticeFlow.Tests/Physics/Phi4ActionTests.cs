using LatticeFlow.Devices;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;

namespace LatticeFlow.Tests.Physics;

public class Phi4ActionTests
{
    /// <summary>S written out naively on the host, from DESIGN.md, as the independent reference.</summary>
    private static double ReferenceAction(double[] phi, int chain, int lx, int ly, double m2, double lam)
    {
        double s = 0;
        int o = chain * lx * ly;
        for (int x = 0; x < lx; x++)
        for (int y = 0; y < ly; y++)
        {
            double p = phi[o + x * ly + y];
            double px = phi[o + (x + 1) % lx * ly + y], py = phi[o + x * ly + (y + 1) % ly];
            s += (px - p) * (px - p) + (py - p) * (py - p) + m2 * p * p + lam * p * p * p * p;
        }
        return s;
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void ActionMatchesNaiveSum(string deviceName)
    {
        using var device = DeviceFactory.Create(deviceName);
        var g = new LatticeGeometry(4, 6);
        var c = Phi4Couplings.Standard(-1.3, 2.1);
        using var fields = new FieldBatch(device, g, 3);
        var phi = TestFields.Random(fields.Sites, 1, 1.5);
        fields.CopyFrom(phi);
        using var action = c.Create(device, g, 3);
        var s = new double[3];
        action.Action(fields, s);
        for (int b = 0; b < 3; b++)
            Assert.Equal(ReferenceAction(phi, b, 4, 6, c.M2, c.Lambda), s[b], 1e-11);
    }

    [Theory]
    [InlineData("cpu", 4, 6)]
    [InlineData("cpu", 2, 2)]
    [InlineData("ilgpu-cpu", 4, 4)]
    public void ForceIsTheGradientOfTheAction(string deviceName, int lx, int ly)
    {
        using var device = DeviceFactory.Create(deviceName);
        var g = new LatticeGeometry(lx, ly);
        var c = Phi4Couplings.Standard(-4.0, 8.0);
        int chains = 2;
        using var fields = new FieldBatch(device, g, chains);
        using var action = c.Create(device, g, chains);
        using var forceBuffer = device.Allocate<double>(fields.Sites);
        var phi = TestFields.Random(fields.Sites, 7, 1.2);
        fields.CopyFrom(phi);
        action.Force(fields, forceBuffer.View);
        device.Synchronize();
        var force = forceBuffer.GetAsArray1D();
        const double h = 1e-5;
        var sPlus = new double[chains];
        var sMinus = new double[chains];
        for (int i = 0; i < fields.Sites; i++)
        {
            int b = i / g.Volume;
            var shifted = (double[])phi.Clone();
            shifted[i] = phi[i] + h;
            fields.CopyFrom(shifted);
            action.Action(fields, sPlus);
            shifted[i] = phi[i] - h;
            fields.CopyFrom(shifted);
            action.Action(fields, sMinus);
            double numeric = (sPlus[b] - sMinus[b]) / (2 * h);
            Assert.True(Math.Abs(numeric - force[i]) < 1e-6 * (1 + Math.Abs(force[i])), $"site {i}: FD {numeric}, force {force[i]}");
        }
    }

    [Fact]
    public void HoppingFormIsTheSameAction()
    {
        // S_hop = Σ_x [−2κ Σ_μ ϕ_x ϕ_{x+μ} + (1 − 2λ_h) ϕ_x² + λ_h ϕ_x⁴] must equal S(φ = √κ ϕ) exactly.
        double kappa = 0.27, lamH = 0.022;
        var c = Phi4Couplings.Hopping(kappa, lamH);
        int l = 4;
        var varphi = TestFields.Random(l * l, 3, 2.0);
        double sHop = 0;
        for (int x = 0; x < l; x++)
        for (int y = 0; y < l; y++)
        {
            double p = varphi[x * l + y];
            sHop += -2 * kappa * p * (varphi[(x + 1) % l * l + y] + varphi[x * l + (y + 1) % l]) + (1 - 2 * lamH) * p * p + lamH * p * p * p * p;
        }
        var phi = varphi.Select(v => Math.Sqrt(kappa) * v).ToArray();
        Assert.Equal(sHop, ReferenceAction(phi, 0, l, l, c.M2, c.Lambda), 1e-10);
    }
}
