using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Flows;

namespace LatticeFlow.Tests.Flows;

/// <summary>
/// Gradient checks (DESIGN.md, principle 5). The network kernels are float32, whose finite differences cannot reach
/// 1e-5, so the check is in two links: (1) an independent double-precision reference (<see cref="ReferenceFlow"/>)
/// has its hand-written backward checked against its own central finite differences to relative error &lt; 1e-5,
/// for every conv layer of every coupling layer and for the full loss; (2) the kernels' backward agrees with that
/// reference gradient to float32 precision (relative error &lt; 2e-4), layer by layer.
/// </summary>
public sealed class FlowGradientTests
{
    private const double M2 = -4, Lam = 8;

    /// <summary>Parameter ranges [start, end) of each conv layer, in ParameterStore order.</summary>
    private static List<(string Name, int Start, int End)> Blocks(FlowArchitecture arch)
    {
        var list = new List<(string, int, int)>();
        var ch = arch.Channels;
        int o = 0;
        for (int l = 0; l < arch.Layers; l++)
            for (int j = 0; j + 1 < ch.Length; j++)
            {
                int n = ch[j + 1] * ch[j] * arch.Taps + ch[j + 1];
                list.Add(($"coupling {l}, conv {j}", o, o + n));
                o += n;
            }
        if (arch.GlobalScale)
        {
            list.Add(("global scale", o, o + 1));
            o += 1;
        }
        if (arch.SpectrumScaling) list.Add(("spectrum scaling", o, o + SpectrumScalingLayer.ParameterCount));
        return list;
    }

    private static double RelativeError(double[] a, double[] b, int start, int end)
    {
        double diff = 0, norm = 0;
        for (int j = start; j < end; j++)
        {
            diff += (a[j] - b[j]) * (a[j] - b[j]);
            norm += b[j] * b[j];
        }
        return Math.Sqrt(diff / Math.Max(norm, 1e-300));
    }

    [Theory]
    [MemberData(nameof(FlowVariants.Shapes), MemberType = typeof(FlowVariants))]
    public void ReferenceBackwardMatchesFiniteDifferencesInDouble(string variant, int lx, int ly)
    {
        var arch = FlowVariants.Tiny(variant, l: lx, layers: 2, ly: ly);
        var theta = FlowTestModels.ToDouble(FlowTestModels.RandomWeights(arch.ParameterCount, 31));
        var zs = FlowTestModels.Split(FlowTestModels.Normals(2 * arch.Volume, 4), 2, arch.Volume);
        var reference = new ReferenceFlow(arch, theta);
        var analytic = reference.LossGradient(zs, M2, Lam);
        var numeric = new double[theta.Length];
        const double h = 1e-6;
        for (int j = 0; j < theta.Length; j++)
        {
            double t = theta[j];
            theta[j] = t + h;
            double lp = reference.Loss(zs, M2, Lam);
            theta[j] = t - h;
            double lm = reference.Loss(zs, M2, Lam);
            theta[j] = t;
            numeric[j] = (lp - lm) / (2 * h);
        }
        foreach (var (name, start, end) in Blocks(arch))
        {
            double err = RelativeError(analytic, numeric, start, end);
            Assert.True(err < 1e-5, $"{name}: relative error {err:E2} between the reference backward and finite differences");
        }
        Assert.True(RelativeError(analytic, numeric, 0, theta.Length) < 1e-5);
    }

    /// <summary>The kernels' loss gradient, ∂L/∂φ from the force through every layer's Backward, against the double reference.</summary>
    [Theory]
    [MemberData(nameof(FlowVariants.Shapes), MemberType = typeof(FlowVariants))]
    public void KernelBackwardMatchesReferenceGradient(string variant, int lx, int ly)
    {
        var arch = FlowVariants.Tiny(variant, l: lx, layers: 3, ly: ly);
        var weights = FlowTestModels.RandomWeights(arch.ParameterCount, 41);
        using var device = DeviceFactory.Create("cpu", 2);
        using var flow = FlowTestModels.Build(arch, device, weights);
        using var trainer = new FlowTrainer(flow, LatticeFlow.Physics.Phi4Couplings.Standard(M2, Lam), 4, new AdamSettings(), 3);
        var m = trainer.Evaluate(0);
        var z = new float[4 * arch.Volume];
        flow.Latent.SubView(0, z.Length).CopyToCPU(z);
        var reference = new ReferenceFlow(arch, FlowTestModels.ToDouble(weights));
        var zs = FlowTestModels.Split(z, 4, arch.Volume);
        var expected = reference.LossGradient(zs, M2, Lam);
        var actual = FlowTestModels.ToDouble(flow.Parameters.GetGradients());
        Assert.True(Math.Abs(m.Loss - reference.Loss(zs, M2, Lam)) < 1e-4 * (1 + Math.Abs(m.Loss)), $"loss {m.Loss} vs reference {reference.Loss(zs, M2, Lam)}");
        foreach (var (name, start, end) in Blocks(arch))
        {
            double err = RelativeError(actual, expected, start, end);
            Assert.True(err < 2e-4, $"{name}: relative error {err:E2} between the kernels' gradient and the reference");
        }
    }
}
