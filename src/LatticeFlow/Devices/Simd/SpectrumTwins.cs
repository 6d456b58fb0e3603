using System.Runtime.Intrinsics;
using LatticeFlow.Kernels;
using LatticeFlow.Kernels.Flows;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// Host SIMD twin of the spectrum scaling's Hartley transform (<see cref="HartleyAxisKernel{TF}"/>), bit-identical to its
/// body: each lane computes one output element with the body's float operations in the body's order (four partial sums
/// of unfused products, m mod 4, added as (a0 + a1) + (a2 + a3), times the site's factor). A twin item is one row of
/// L_y outputs, q = b·V + x·L_y + (0 … L_y − 1), whose lanes run along y: transforming x, the lanes share the matrix
/// element and read L_y-contiguous inputs; transforming y, they share the input and read a row of H (symmetric, so
/// H[r + j, m] = H[m, r + j]). The last vector of a row overlaps the one before it when L_y is not a multiple of the
/// lanes, writing the same values again. Rows shorter than 8 run the body.
/// </summary>
internal static unsafe class SpectrumTwins
{
    public static bool HartleyAxis<TF>(HartleyAxisKernel<TF> k, TwinContext context, int items, long sites) where TF : struct, IView<float>
    {
        int row = k.Stride == 1 ? k.N : k.Stride;
        if (row < Lanes8.Count || items % row != 0 || k.Volume % row != 0) return false;
        var args = new HartleyArguments(k.Source.Host.Pointer, k.Destination.Host.Pointer, k.Matrix.Host.Pointer, k.Scale.Host.Pointer,
            k.N, k.Stride, k.Volume, row);
        // Rows of 8 to 15 take 8 lanes on an AVX-512 machine too.
        if (context.Level == SimdLevel.Avx512 && row >= Lanes16.Count) context.Launcher.Launch(items / row, sites, new HartleyAxisTwin<Lanes16, Vector512<float>>(args));
        else context.Launcher.Launch(items / row, sites, new HartleyAxisTwin<Lanes8, Vector256<float>>(args));
        return true;
    }
}

internal readonly unsafe struct HartleyArguments(float* source, float* destination, float* matrix, float* scale, int n, int stride, int volume, int row)
{
    public readonly float* Source = source, Destination = destination, Matrix = matrix, Scale = scale;
    public readonly int N = n, Stride = stride, Volume = volume, Row = row;
}

/// <summary>One row of outputs of <see cref="HartleyAxisKernel{TF}"/> (see <see cref="SpectrumTwins"/>).</summary>
internal readonly unsafe struct HartleyAxisTwin<TL, TV>(HartleyArguments a) : IKernel where TL : struct, ILanes<TV> where TV : unmanaged
{
    private readonly HartleyArguments _a = a;

    public void Execute(int item)
    {
        var args = _a;
        int q0 = item * args.Row, s0 = q0 % args.Volume, n = args.N;
        for (int j = 0; j < args.Row; j += TL.Count)
        {
            if (j + TL.Count > args.Row) j = args.Row - TL.Count;
            TV a0 = TL.Zero, a1 = TL.Zero, a2 = TL.Zero, a3 = TL.Zero;
            int m = 0;
            if (args.Stride == 1)
            {
                // Transforming y: output r = j + lane of the row starting at q0, Σ_m H[m, r] source[q0 + m].
                float* h = args.Matrix + j;
                float* src = args.Source + q0;
                for (; m + 3 < n; m += 4)
                {
                    a0 = TL.Add(a0, TL.Multiply(TL.Load(h + m * n), TL.Broadcast(src[m])));
                    a1 = TL.Add(a1, TL.Multiply(TL.Load(h + (m + 1) * n), TL.Broadcast(src[m + 1])));
                    a2 = TL.Add(a2, TL.Multiply(TL.Load(h + (m + 2) * n), TL.Broadcast(src[m + 2])));
                    a3 = TL.Add(a3, TL.Multiply(TL.Load(h + (m + 3) * n), TL.Broadcast(src[m + 3])));
                }
                for (; m < n; m++) a0 = TL.Add(a0, TL.Multiply(TL.Load(h + m * n), TL.Broadcast(src[m])));
            }
            else
            {
                // Transforming x: output row r of the sample, columns j + lane, Σ_m H[r, m] source[sample + m·L_y + column].
                int r = s0 / args.Stride % n;
                float* h = args.Matrix + r * n;
                float* src = args.Source + q0 - r * args.Stride + j;
                for (; m + 3 < n; m += 4)
                {
                    a0 = TL.Add(a0, TL.Multiply(TL.Broadcast(h[m]), TL.Load(src + m * args.Stride)));
                    a1 = TL.Add(a1, TL.Multiply(TL.Broadcast(h[m + 1]), TL.Load(src + (m + 1) * args.Stride)));
                    a2 = TL.Add(a2, TL.Multiply(TL.Broadcast(h[m + 2]), TL.Load(src + (m + 2) * args.Stride)));
                    a3 = TL.Add(a3, TL.Multiply(TL.Broadcast(h[m + 3]), TL.Load(src + (m + 3) * args.Stride)));
                }
                for (; m < n; m++) a0 = TL.Add(a0, TL.Multiply(TL.Broadcast(h[m]), TL.Load(src + m * args.Stride)));
            }
            TL.Store(args.Destination + q0 + j, TL.Multiply(TL.Add(TL.Add(a0, a1), TL.Add(a2, a3)), TL.Load(args.Scale + s0 + j)));
        }
    }
}
