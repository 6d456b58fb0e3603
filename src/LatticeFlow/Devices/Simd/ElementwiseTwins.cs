using System.Runtime.Intrinsics;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Host SIMD twins of element-wise flow kernels. <see cref="ActivationBackward{TF}"/> is bit-identical to its body: the same
/// float operations per element (a select of 1 or the slope, or 1 − y·y without fusing), only several at a time; its
/// body mispredicted the sign branch of LeakyReLU on about half the elements (15 % of a training step with the conv twins).
/// </summary>
internal static unsafe class ElementwiseTwins
{
    // Elements per item: long enough to amortise a chunk claim, short enough to spread a small launch over the threads.
    private const int ItemElements = 4096;

    public static bool ActivationBackward<TF>(ActivationBackwardKernel<TF> k, TwinContext context, int items, long sites) where TF : struct, IView<float>
    {
        long n = (long)items * k.Width;
        if (n > int.MaxValue) return false;
        int chunks = (int)((n + ItemElements - 1) / ItemElements);
        var args = new ActivationArguments(k.Output.Host.Pointer, k.Gradient.Host.Pointer, (int)n, k.Activation);
        if (context.Level == SimdLevel.Avx512) context.Launcher.Launch(chunks, sites, new ActivationBackwardTwin<Lanes16, Vector512<float>>(args));
        else context.Launcher.Launch(chunks, sites, new ActivationBackwardTwin<Lanes8, Vector256<float>>(args));
        return true;
    }
}

internal readonly unsafe struct ActivationArguments(float* output, float* gradient, int count, int activation)
{
    public readonly float* Output = output, Gradient = gradient;
    public readonly int Count = count, Activation = activation;
}

/// <summary>g ← g · act′(y) for elements [4096·item, 4096·(item + 1)) (see <see cref="ElementwiseTwins"/>).</summary>
internal readonly unsafe struct ActivationBackwardTwin<TL, TV>(ActivationArguments a) : IKernel where TL : struct, ILanes<TV> where TV : unmanaged
{
    private readonly ActivationArguments _a = a;

    public void Execute(int item)
    {
        var a = _a;
        int start = item * 4096, end = Math.Min(start + 4096, a.Count), j = start;
        if (a.Activation == ActivationCode.LeakyRelu)
        {
            TV one = TL.Broadcast(1f), slope = TL.Broadcast(ActivationCode.LeakySlope);
            for (; j + TL.Count <= end; j += TL.Count)
                TL.Store(a.Gradient + j, TL.Multiply(TL.Load(a.Gradient + j), TL.Select(TL.GreaterThanZero(TL.Load(a.Output + j)), one, slope)));
        }
        else if (a.Activation == ActivationCode.Tanh)
        {
            TV one = TL.Broadcast(1f);
            for (; j + TL.Count <= end; j += TL.Count)
            {
                TV y = TL.Load(a.Output + j);
                TL.Store(a.Gradient + j, TL.Multiply(TL.Load(a.Gradient + j), TL.Subtract(one, TL.Multiply(y, y))));
            }
        }
        for (; j < end; j++) a.Gradient[j] *= ActivationCode.Derivative(a.Activation, a.Output[j]);
    }
}
