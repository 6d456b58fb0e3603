using ILGPU;
using ILGPU.Runtime;
using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Physics;

namespace LatticeFlow.Tests.Flows;

/// <summary>
/// Every flow kernel compiled by ILGPU (CPU accelerator, one item per site) against the managed fast path (one item per
/// lattice): prior sampling, mask, conv forward, activation backward, conv input and weight gradients, coupling
/// transform, log det and backward, masked add, conversions, norm and Adam are all exercised by training steps and
/// an inverse pass, and every result is compared.
/// </summary>
public sealed class FlowBackendTests
{
    private sealed record Snapshot(double[] Loss, float[] Phi, float[] Gradients, float[] Weights, double[] InverseLogQ, float[] Latent);

    private static Snapshot Run(string deviceName, FlowArchitecture arch)
    {
        using var device = DeviceFactory.Create(deviceName, 2);
        using var flow = FlowTestModels.Build(arch, device, FlowTestModels.RandomWeights(arch.ParameterCount, 51));
        using var trainer = new FlowTrainer(flow, Phi4Couplings.Tutorial, 3, new AdamSettings(), 5, clipNorm: 1.0);
        var losses = new double[2];
        for (int s = 0; s < 2; s++) losses[s] = trainer.Step(s, 1e-2).Loss;
        var m = trainer.Evaluate(2);
        var phi = new float[3 * arch.Volume];
        flow.Output.SubView(0, phi.Length).CopyToCPU(phi);
        var grads = flow.Parameters.GetGradients();
        var weights = flow.Parameters.GetValues();
        var z = new float[phi.Length];
        var logQ = new double[3];
        flow.Inverse(phi, z, logQ);
        return new Snapshot([.. losses, m.Loss], phi, grads, weights, logQ, z);
    }

    [Theory]
    [MemberData(nameof(FlowVariants.All), MemberType = typeof(FlowVariants))]
    public void IlgpuMatchesManagedForEveryFlowKernel(string variant) => Compare("ilgpu-cpu", variant);

    /// <summary>The same on the GPU, where exp, log and tanh come from libdevice and agree with .NET's to float rounding.</summary>
    [CudaTheory]
    [MemberData(nameof(FlowVariants.All), MemberType = typeof(FlowVariants))]
    public void CudaMatchesManagedForEveryFlowKernel(string variant) => Compare("cuda", variant);

    private static void Compare(string deviceName, string variant)
    {
        var arch = FlowVariants.Tiny(variant, l: 4, layers: 2);
        var a = Run("cpu", arch);
        var b = Run(deviceName, arch);
        Close(a.Loss, b.Loss, 1e-5, "loss");
        Close(a.Phi, b.Phi, 1e-5, "φ");
        Close(a.Gradients, b.Gradients, 1e-4, "gradients");
        Close(a.Weights, b.Weights, 1e-5, "weights after Adam");
        Close(a.InverseLogQ, b.InverseLogQ, 1e-5, "inverse log q");
        Close(a.Latent, b.Latent, 1e-5, "inverse z");
    }

    private static void Close(IEnumerable<float> a, IEnumerable<float> b, double tol, string what) =>
        Close(a.Select(x => (double)x), b.Select(x => (double)x), tol, what);

    private static void Close(IEnumerable<double> a, IEnumerable<double> b, double tol, string what)
    {
        var x = a.ToArray();
        var y = b.ToArray();
        Assert.Equal(x.Length, y.Length);
        double scale = Math.Max(1e-3, x.Max(Math.Abs));
        for (int j = 0; j < x.Length; j++)
            Assert.True(Math.Abs(x[j] - y[j]) <= tol * scale, $"{what}[{j}]: managed {x[j]} vs {y[j]}");
    }
}
