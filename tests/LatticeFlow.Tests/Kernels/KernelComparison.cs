using LatticeFlow.Analysis;
using LatticeFlow.Devices;
using LatticeFlow.Lattice;
using LatticeFlow.Physics;
using LatticeFlow.Sampling;

namespace LatticeFlow.Tests.Kernels;

/// <summary>
/// Runs each engine kernel on the fast managed path and on an ILGPU backend over the same inputs and
/// compares the results: this proves every kernel compiles for ILGPU and that both launchers run the same body.
/// </summary>
public static class KernelComparison
{
    public static readonly string[] Operations = ["metropolis", "hmc-leapfrog", "hmc-omelyan", "force", "action", "observables", "gaussian"];

    private static readonly LatticeGeometry Geometry = new(4, 6);
    private const int Chains = 3;

    public static void Run(string operation, string other)
    {
        var fast = Evaluate(operation, "cpu");
        var ilgpu = Evaluate(operation, other);
        Assert.Equal(fast.Length, ilgpu.Length);
        for (int i = 0; i < fast.Length; i++)
            Assert.True(Math.Abs(fast[i] - ilgpu[i]) <= 1e-12 * (1 + Math.Abs(fast[i])), $"{operation}[{i}]: cpu {fast[i]}, {other} {ilgpu[i]}");
    }

    private static double[] Evaluate(string operation, string deviceName)
    {
        using var device = DeviceFactory.Create(deviceName);
        using var fields = new FieldBatch(device, Geometry, Chains);
        fields.CopyFrom(TestFields.Random(fields.Sites, 5, 1.0));
        var c = Phi4Couplings.Tutorial;
        switch (operation)
        {
            case "metropolis":
            {
                using var m = new LocalMetropolis(device, Geometry, Chains, c, new MetropolisSettings(0.8, 3), 99);
                for (int step = 0; step < 4; step++) m.Update(fields, step);
                var acc = new double[Chains];
                m.Acceptance(acc);
                return [.. fields.ToHost(), .. acc];
            }
            case "hmc-leapfrog":
            case "hmc-omelyan":
            {
                var kind = operation == "hmc-leapfrog" ? IntegratorKind.Leapfrog : IntegratorKind.Omelyan;
                using var h = new Hmc(device, Geometry, Chains, c, new HmcSettings(0.5, 5, kind), 98);
                var dH = new List<double>();
                for (int step = 0; step < 3; step++)
                {
                    h.Update(fields, step);
                    dH.AddRange(h.LastDeltaH.ToArray());
                }
                return [.. fields.ToHost(), .. dH];
            }
            case "force":
            {
                using var a = c.Create(device, Geometry, Chains);
                using var f = device.Allocate<double>(fields.Sites);
                a.Force(fields, f.View);
                device.Synchronize();
                return f.GetAsArray1D();
            }
            case "action":
            {
                using var a = c.Create(device, Geometry, Chains);
                var s = new double[Chains];
                a.Action(fields, s);
                return s;
            }
            case "observables":
            {
                using var meter = new ConfigurationMeter(device, Geometry, Chains, c);
                var m = new ConfigurationMeasurement[Chains];
                var t = new double[Chains * Geometry.Ly];
                meter.Measure(fields, m, t);
                return [.. t, .. m.SelectMany(x => new[] { x.M, x.AbsM, x.M2, x.ActionDensity, x.IsingProduct })];
            }
            case "gaussian":
                fields.Randomize(1234, 1.0);
                return fields.ToHost();
            default:
                throw new ArgumentException(operation);
        }
    }
}

public class IlgpuCpuKernelTests
{
    public static TheoryData<string> Operations => [.. KernelComparison.Operations];

    [Theory]
    [MemberData(nameof(Operations))]
    public void IlgpuCpuAcceleratorMatchesFastPath(string operation) => KernelComparison.Run(operation, "ilgpu-cpu");
}

public class CudaKernelTests
{
    public static TheoryData<string> Operations => [.. KernelComparison.Operations];

    [CudaTheory]
    [MemberData(nameof(Operations))]
    public void CudaMatchesFastPath(string operation) => KernelComparison.Run(operation, "cuda");
}
