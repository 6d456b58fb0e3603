using System.Runtime.Intrinsics;
using LatticeFlow.Devices.Simd;
using static LatticeFlow.Tests.Devices.DeviceArrays;

namespace LatticeFlow.Tests.Devices;

/// <summary>
/// <see cref="ILanes{TV}"/> at 256 and 512 bits: the masked memory operations (narrow conv rows) touch only their lanes,
/// and the element-wise operations the spline twin needs do what the scalar C# operators do, bit for bit, on zeros of
/// both signs, infinities, NaN and subnormals; the widened sums the weight-gradient twin keeps in registers are its sums
/// through memory.
/// </summary>
public sealed unsafe class LanesTests
{
    [Fact]
    public void MaskedLoadsAndStoresTouchOnlyTheirLanes()
    {
        Check<Lanes8, Vector256<float>>();
        Check<Lanes16, Vector512<float>>();
    }

    [Fact]
    public void ElementwiseOperationsAreTheScalarOnes()
    {
        Elementwise<Lanes8, Vector256<float>>();
        Elementwise<Lanes16, Vector512<float>>();
    }

    /// <summary>
    /// The weight-gradient twin's sums in registers (TL.SumWidened) against its sums through memory (AccumulateDouble
    /// into zeros, then SumDouble), which its results were before: equal doubles, in lane order.
    /// </summary>
    [Fact]
    public void WidenedSumsAreTheSumsThroughMemory()
    {
        WidenedSums<Lanes8, Vector256<float>>();
        WidenedSums<Lanes16, Vector512<float>>();
    }

    private static void WidenedSums<TL, TV>() where TL : struct, ILanes<TV> where TV : unmanaged
    {
        int n = TL.Count;
        float* a = stackalloc float[n];
        double* d = stackalloc double[n];
        var rng = new Random(6);
        for (int round = 0; round < 400; round++)
        {
            // Magnitudes spread over 2^±60 and subnormals, so that the lane order shows in the roundings.
            for (int l = 0; l < n; l++) a[l] = round % 7 == 0 ? -1e-40f * l : (float)((rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-60, 60)));
            TL.ZeroDoubles(d);
            TL.AccumulateDouble(d, TL.Load(a));
            double memory = TL.SumDouble(d), registers = TL.SumWidened(TL.Load(a));
            Assert.True(memory == registers, $"{typeof(TL).Name}: {registers:R} in registers, {memory:R} through memory");
            double ordered = 0;
            for (int l = 0; l < n; l++) ordered += a[l];
            Assert.Equal(ordered, registers);
        }
    }

    private static void Elementwise<TL, TV>() where TL : struct, ILanes<TV> where TV : unmanaged
    {
        float[] special = [0f, -0f, 1f, -1f, 2.5f, -3.75f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -1e-40f, 3.4e38f, 0.1f, 7f];
        int n = TL.Count;
        float* a = stackalloc float[n], b = stackalloc float[n], r = stackalloc float[n];
        var rng = new Random(5);
        for (int round = 0; round < 400; round++)
        {
            for (int l = 0; l < n; l++)
            {
                a[l] = round < 200 ? special[rng.Next(special.Length)] : (float)(rng.NextDouble() * 20 - 10);
                b[l] = round % 3 == 0 ? a[l] : special[rng.Next(special.Length)];
            }
            TV va = TL.Load(a), vb = TL.Load(b);
            void Same(TV v, Func<float, float, float> scalar, string what)
            {
                TL.Store(r, v);
                for (int l = 0; l < n; l++) BitIdentical(scalar(a[l], b[l]), r[l], $"{typeof(TL).Name} {what}({a[l]:R}, {b[l]:R}), body = scalar, twin = lanes");
            }
            float True = BitConverter.Int32BitsToSingle(-1);
            Same(TL.Negate(va), (x, _) => -x, "negate");
            Same(TL.Sqrt(va), (x, _) => MathF.Sqrt(x), "sqrt");
            Same(TL.LessThan(va, vb), (x, y) => x < y ? True : 0f, "<");
            Same(TL.LessThanOrEqual(va, vb), (x, y) => x <= y ? True : 0f, "<=");
            Same(TL.GreaterThan(va, vb), (x, y) => x > y ? True : 0f, ">");
            Same(TL.GreaterThanOrEqual(va, vb), (x, y) => x >= y ? True : 0f, ">=");
            Same(TL.Equal(va, vb), (x, y) => x == y ? True : 0f, "==");
            Same(TL.Or(TL.LessThan(va, vb), TL.Equal(va, vb)), (x, y) => x <= y ? True : 0f, "< or ==");
            Same(TL.AndNot(va, TL.LessThan(va, vb)), (x, y) => x < y ? 0f : x, "and-not");
            // IEEE maximum, as Math.Max: NaN wins, +0 above −0.
            Same(TL.Max(va, vb), Math.Max, "max");
            Same(TL.MapDouble<MultiplyAdd>(va, vb, va), (x, y) => (float)((double)x * y + x), "map (double) a·b + c");
        }
    }

    private readonly struct MultiplyAdd : IDoubleMap
    {
        public static TD Apply<TDL, TD>(TD a, TD b, TD c) where TDL : struct, IDoubleLanes<TD> where TD : unmanaged => TDL.Add(TDL.Multiply(a, b), c);
    }

    private static void Check<TL, TV>() where TL : struct, ILanes<TV> where TV : unmanaged
    {
        int n = TL.Count;
        float* memory = stackalloc float[n], maskBits = stackalloc float[n], loaded = stackalloc float[n];
        for (int l = 0; l < n; l++)
        {
            memory[l] = 100 + l;
            maskBits[l] = l % 3 == 1 || l == n - 1 ? BitConverter.Int32BitsToSingle(-1) : 0f;
        }
        var mask = TL.Load(maskBits);
        TL.Store(loaded, TL.MaskLoad(memory, mask));
        TL.MaskStore(memory, mask, TL.Broadcast(-1f));
        for (int l = 0; l < n; l++)
        {
            bool on = l % 3 == 1 || l == n - 1;
            Assert.Equal(on ? 100 + l : 0f, loaded[l]);
            Assert.Equal(on ? -1f : 100 + l, memory[l]);
        }
    }
}
