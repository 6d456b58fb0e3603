using LatticeFlow.Devices;
using LatticeFlow.Flows;
using LatticeFlow.Kernels;

namespace LatticeFlow.Tests.Flows;

/// <summary>Tiny models with random weights and latents shared by the flow tests.</summary>
internal static class FlowTestModels
{
    public static FlowArchitecture Tiny(CouplingKind coupling = CouplingKind.Affine, ActivationKind act = ActivationKind.LeakyRelu, bool finalTanh = true, int l = 4, int layers = 3) =>
        new() { Lx = l, Ly = l, Layers = layers, Hidden = [3, 2], Kernel = 3, Coupling = coupling, Activation = act, FinalTanh = finalTanh };

    /// <summary>Weights uniform in ±scale, so that every layer does something visible (log-scales far from 0).</summary>
    public static float[] RandomWeights(int count, ulong seed, double scale = 0.5)
    {
        var w = new float[count];
        var key = new RngKey(seed);
        for (int j = 0; j < count; j++)
        {
            var r = Philox.Generate(key, (uint)j, 7, 7, 7);
            w[j] = (float)((2 * Philox.Uniform53(r.X0, r.X1) - 1) * scale);
        }
        return w;
    }

    public static float[] Normals(int count, ulong seed)
    {
        var z = new float[count];
        var key = new RngKey(seed);
        for (int j = 0; j < count; j++)
        {
            var r = Philox.Generate(key, (uint)j, 3, 3, 3);
            z[j] = (float)(Math.Sqrt(-2 * Math.Log(Philox.Uniform53(r.X0, r.X1))) * Math.Cos(2 * Math.PI * Philox.Uniform53(r.X2, r.X3)));
        }
        return z;
    }

    public static RealNvpFlow Build(FlowArchitecture arch, ComputeDevice device, float[] weights)
    {
        var flow = new RealNvpFlow(arch, device);
        flow.Parameters.SetValues(weights);
        return flow;
    }

    public static double[] ToDouble(float[] v) => [.. v.Select(x => (double)x)];

    public static double[][] Split(float[] flat, int batch, int volume) =>
        [.. Enumerable.Range(0, batch).Select(b => flat.Skip(b * volume).Take(volume).Select(x => (double)x).ToArray())];
}
