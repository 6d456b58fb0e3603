using LatticeFlow.Devices;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Sampling;

public class IntegratorTests
{
    public static TheoryData<IntegratorKind> Kinds => [IntegratorKind.Leapfrog, IntegratorKind.Omelyan];

    private sealed class Setup : IDisposable
    {
        public readonly ComputeDevice Device = DeviceFactory.Create("cpu");
        public readonly LatticeGeometry Geometry = new(6, 6);
        public readonly FieldBatch Fields;
        public readonly IAction Action;
        public readonly ILGPU.Runtime.MemoryBuffer1D<double, ILGPU.Stride1D.Dense> Momenta;

        public Setup(int chains)
        {
            Fields = new FieldBatch(Device, Geometry, chains);
            Action = Phi4Couplings.Tutorial.Create(Device, Geometry, chains);
            Momenta = Device.Allocate<double>(Fields.Sites);
        }

        public void Dispose()
        {
            Momenta.Dispose();
            Action.Dispose();
            Fields.Dispose();
            Device.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void IntegratorIsReversible(IntegratorKind kind)
    {
        using var s = new Setup(2);
        var phi0 = TestFields.Random(s.Fields.Sites, 11, 0.8);
        var pi0 = TestFields.Random(s.Fields.Sites, 12, 1.5);
        s.Fields.CopyFrom(phi0);
        s.Momenta.View.AsContiguous().CopyFromCPU(pi0);
        var md = new MolecularDynamics(s.Action, s.Fields, s.Momenta.View);
        var integrator = IIntegrator.Create(kind);
        integrator.Integrate(md, 0.05, 20);
        var phi1 = s.Fields.ToHost();
        Assert.True(phi1.Zip(phi0).Max(p => Math.Abs(p.First - p.Second)) > 0.01, "the trajectory must move the field");
        var pi1 = s.Momenta.GetAsArray1D();
        s.Momenta.View.AsContiguous().CopyFromCPU(pi1.Select(p => -p).ToArray());
        integrator.Integrate(md, 0.05, 20);
        var phi2 = s.Fields.ToHost();
        var pi2 = s.Momenta.GetAsArray1D();
        for (int i = 0; i < phi0.Length; i++)
        {
            Assert.True(Math.Abs(phi2[i] - phi0[i]) < 1e-10, $"φ[{i}] {phi2[i]} vs {phi0[i]}");
            Assert.True(Math.Abs(pi2[i] + pi0[i]) < 1e-10, $"π[{i}] {pi2[i]} vs {-pi0[i]}");
        }
    }

    /// <summary>Both are second-order integrators: halving ε at fixed trajectory length cuts ΔH by about 4.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void EnergyViolationScalesAsStepSquared(IntegratorKind kind)
    {
        using var s = new Setup(1);
        var phi0 = TestFields.Random(s.Fields.Sites, 21, 0.5);
        var pi0 = TestFields.Random(s.Fields.Sites, 22, 1.0);
        var h = new double[1];
        double DeltaH(double eps, int steps)
        {
            s.Fields.CopyFrom(phi0);
            s.Momenta.View.AsContiguous().CopyFromCPU(pi0);
            s.Action.Hamiltonian(s.Fields, s.Momenta.View, h.AsSpan());
            double h0 = h[0];
            IIntegrator.Create(kind).Integrate(new MolecularDynamics(s.Action, s.Fields, s.Momenta.View), eps, steps);
            s.Action.Hamiltonian(s.Fields, s.Momenta.View, h.AsSpan());
            return Math.Abs(h[0] - h0);
        }
        double ratio = DeltaH(0.02, 25) / DeltaH(0.01, 50);
        Assert.InRange(ratio, 3.0, 5.3);
    }
}
