using System.Runtime.Intrinsics;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Host SIMD twin of the flow's prior sample (<see cref="PriorSampleKernel{TF}"/>), bit-identical to its body: Philox
/// (<see cref="PhiloxLanes"/>), the 53-bit uniforms, r = √(−2 ln u₁), cos 2πu₂ (<see cref="PortableMathLanes"/>, which
/// repeats the body's <see cref="PortableMath"/>) and the rounding of r·cos to float, for Count consecutive sites of one
/// sample per vector, lane l keyed by site + l as the body keys each site. Vectors that would cross a sample's end, and
/// an item's tail, run the body's scalar code. Items are the body's, so results do not depend on the thread count.
/// </summary>
internal static unsafe class PriorTwins
{
    public static bool Sample<TF>(PriorSampleKernel<TF> k, TwinContext context, int items, long sites) where TF : struct, IView<float>
    {
        if (k.Width < DoubleLanes4.Count) return false;
        var args = new PriorSampleKernel<HostView<float>>(k.Z.Host, k.Volume, k.Width, k.Key, k.Step, k.Stream);
        if (context.Level == SimdLevel.Avx512 && k.Width >= DoubleLanes8.Count) context.Launcher.Launch(items, sites, new PriorSampleTwin<DoubleLanes8, Vector512<double>>(args));
        else context.Launcher.Launch(items, sites, new PriorSampleTwin<DoubleLanes4, Vector256<double>>(args));
        return true;
    }
}

/// <summary>One item of <see cref="PriorSampleKernel{TF}"/> in lanes (see <see cref="PriorTwins"/>).</summary>
internal readonly unsafe struct PriorSampleTwin<TL, TD>(PriorSampleKernel<HostView<float>> a) : IKernel
    where TL : struct, IDoubleLanes<TD> where TD : unmanaged
{
    private readonly PriorSampleKernel<HostView<float>> _a = a;

    public void Execute(int item)
    {
        var a = _a;
        int start = item * a.Width, end = start + a.Width, c = TL.Count;
        TD* roundKeys = stackalloc TD[20];
        PhiloxLanes.RoundKeys<TL, TD>(a.Key, roundKeys);
        TD step = TL.BroadcastBits(a.Step), stream = TL.BroadcastBits(a.Stream);
        for (int i = start; i < end;)
        {
            int b = i / a.Volume, site = i - b * a.Volume;
            if (i + c <= end && site + c <= a.Volume)
            {
                var w = new PhiloxWords<TD>(TL.AddInt(TL.BroadcastBits((uint)site), TL.LaneIndex), TL.BroadcastBits((uint)b), step, stream);
                PhiloxLanes.Generate<TL, TD>(ref w, roundKeys);
                TD u1 = PhiloxLanes.Uniform53<TL, TD>(w.X0, w.X1), u2 = PhiloxLanes.Uniform53<TL, TD>(w.X2, w.X3);
                PortableMathLanes.SinCosTwoPi<TL, TD>(u2, out _, out var cos);
                TL.StoreSingles(a.Z.Pointer + i, TL.Multiply(TL.Sqrt(TL.Multiply(TL.Broadcast(-2.0), PortableMathLanes.Log<TL, TD>(u1))), cos));
                i += c;
                continue;
            }
            a.Z[i++] = PriorSampleKernel<HostView<float>>.Normal(a.Key, site, b, a.Step, a.Stream);
        }
    }
}
