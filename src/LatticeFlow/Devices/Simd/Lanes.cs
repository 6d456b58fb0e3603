using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// The vector operations the host twins use, over a vector type <typeparamref name="TV"/> of float lanes: one twin body
/// serves 256-bit (<see cref="Lanes8"/>, AVX2 + FMA) and 512-bit (<see cref="Lanes16"/>, AVX-512) lanes. Implementations
/// are structs with static members, so the JIT specialises and inlines every call (no interface dispatch in loops).
/// Masks are vectors whose lanes are all ones (true) or all zeros.
/// </summary>
internal unsafe interface ILanes<TV> where TV : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(float* p);
    static abstract void Store(float* p, TV v);
    static abstract TV Broadcast(float x);

    /// <summary>
    /// Loads the lanes whose mask is set and zero elsewhere, and stores only the lanes whose mask is set: memory under the
    /// other lanes is neither read nor written (vmaskmovps), so it may lie past an array's end or belong to another thread.
    /// </summary>
    static abstract TV MaskLoad(float* p, TV mask);

    /// <inheritdoc cref="MaskLoad"/>
    static abstract void MaskStore(float* p, TV mask, TV v);

    /// <summary>a·b + c with one rounding (FMA).</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);
    static abstract TV Multiply(TV a, TV b);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    static abstract TV Divide(TV a, TV b);

    /// <summary>|v| (the sign bit cleared, as XMath.Abs).</summary>
    static abstract TV Abs(TV v);
    static abstract TV And(TV a, TV mask);

    /// <summary>Lanes of <paramref name="a"/> where the mask is set, of <paramref name="b"/> elsewhere.</summary>
    static abstract TV Select(TV mask, TV a, TV b);
    static abstract TV GreaterThanZero(TV v);

    /// <summary>
    /// tanh as <see cref="Kernels.Flows.ActivationCode.FastTanh"/> computes it, 1 − 2/(e^{2v} + 1) in double, rounded to
    /// float: the same result but for the last bit of the double exp (vector exp against Math.Exp).
    /// </summary>
    static abstract TV Tanh(TV v);

    /// <summary>
    /// e^v as <see cref="Kernels.Flows.ActivationCode.FastExp"/> computes it, in double rounded to float: the same result
    /// but for the last bit of the double exp (vector exp against Math.Exp), which the rounding to float seldom keeps
    /// (CouplingTwinTests counts how often).
    /// </summary>
    static abstract TV Exp(TV v);

    /// <summary>All bits set in the lanes where the 32-bit integers at <paramref name="p"/> equal <paramref name="value"/>.</summary>
    static abstract TV EqualsInt(int* p, int value);

    /// <summary>The larger of each pair (IEEE 754 maximum: the spline's uses do not depend on the sign of a zero result).</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>√v per lane, correctly rounded, as MathF.Sqrt.</summary>
    static abstract TV Sqrt(TV v);

    /// <summary>−v: the sign bit flipped, as a scalar negation (so −(+0) = −0, unlike 0 − v).</summary>
    static abstract TV Negate(TV v);

    /// <summary>Comparison masks (false where either is NaN).</summary>
    static abstract TV LessThan(TV a, TV b);
    static abstract TV LessThanOrEqual(TV a, TV b);
    static abstract TV GreaterThan(TV a, TV b);
    static abstract TV GreaterThanOrEqual(TV a, TV b);
    static abstract TV Equal(TV a, TV b);
    static abstract TV Or(TV a, TV b);

    /// <summary>a where the mask is clear, 0 where it is set.</summary>
    static abstract TV AndNot(TV a, TV mask);

    /// <summary>
    /// (float)f((double)a, (double)b, (double)c) per lane for the double-lane function <typeparamref name="TM"/>: the float
    /// lanes widened to two vectors of doubles (exact), f, and the results rounded to float (to nearest, as a cast).
    /// </summary>
    static abstract TV MapDouble<TM>(TV a, TV b, TV c) where TM : struct, IDoubleMap;

    /// <summary>d[j] += v[j] in double, for the count lanes of <paramref name="v"/>.</summary>
    static abstract void AccumulateDouble(double* d, TV v);

    /// <summary>Σ_j d[j] over the count doubles at <paramref name="d"/>, in lane order.</summary>
    static abstract double SumDouble(double* d);

    /// <summary>d[j] = 0 for the count doubles at <paramref name="d"/>, in stores as wide as <see cref="AccumulateDouble"/>'s loads.</summary>
    static abstract void ZeroDoubles(double* d);

    /// <summary>
    /// Σ_j (double)v[j] in lane order: what <see cref="SumDouble"/> returns after one <see cref="AccumulateDouble"/> of
    /// <paramref name="v"/> into zeros (but for the sign of a zero sum), without the round trip through memory.
    /// </summary>
    static abstract double SumWidened(TV v);
}

/// <summary>256-bit lanes: 8 floats (AVX2 with FMA).</summary>
internal readonly unsafe struct Lanes8 : ILanes<Vector256<float>>
{
    public static int Count => 8;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector256<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MaskLoad(float* p, Vector256<float> mask)
    {
        if (Avx.IsSupported) return Avx.MaskLoad(p, mask);
        var v = Vector256<float>.Zero;
        for (int l = 0; l < 8; l++) if (BitConverter.SingleToInt32Bits(mask[l]) < 0) v = v.WithElement(l, p[l]);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MaskStore(float* p, Vector256<float> mask, Vector256<float> v)
    {
        if (Avx.IsSupported) { Avx.MaskStore(p, mask, v); return; }
        for (int l = 0; l < 8; l++) if (BitConverter.SingleToInt32Bits(mask[l]) < 0) p[l] = v[l];
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> v) => Vector256.Abs(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> mask) => a & mask;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThanZero(Vector256<float> v) => Vector256.GreaterThan(v, Vector256<float>.Zero);

    public static Vector256<float> Tanh(Vector256<float> v) =>
        Vector256.Narrow(TanhDouble(Vector256.WidenLower(v)), TanhDouble(Vector256.WidenUpper(v)));

    public static Vector256<float> Exp(Vector256<float> v) =>
        Vector256.Narrow(Vector256.Exp(Vector256.WidenLower(v)), Vector256.Exp(Vector256.WidenUpper(v)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> EqualsInt(int* p, int value) => Vector256.Equals(Vector256.Load(p), Vector256.Create(value)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> v) => Vector256.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Negate(Vector256<float> v) => v ^ Vector256.Create(-0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThanOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.LessThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThanOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Equal(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> AndNot(Vector256<float> a, Vector256<float> mask) => Vector256.AndNot(a, mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MapDouble<TM>(Vector256<float> a, Vector256<float> b, Vector256<float> c) where TM : struct, IDoubleMap =>
        Vector256.Narrow(TM.Apply<DoubleLanes4, Vector256<double>>(Vector256.WidenLower(a), Vector256.WidenLower(b), Vector256.WidenLower(c)),
            TM.Apply<DoubleLanes4, Vector256<double>>(Vector256.WidenUpper(a), Vector256.WidenUpper(b), Vector256.WidenUpper(c)));

    private static Vector256<double> TanhDouble(Vector256<double> v) =>
        Vector256<double>.One - Vector256.Create(2.0) / (Vector256.Exp(v + v) + Vector256<double>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateDouble(double* d, Vector256<float> v)
    {
        (Vector256.Load(d) + Vector256.WidenLower(v)).Store(d);
        (Vector256.Load(d + 4) + Vector256.WidenUpper(v)).Store(d + 4);
    }

    // Whole-vector loads, as AccumulateDouble stored them (element loads of a just-stored vector wait for the store to
    // retire); the sum in lane order.
    public static double SumDouble(double* d)
    {
        Vector256<double> lo = Vector256.Load(d), hi = Vector256.Load(d + 4);
        return lo[0] + lo[1] + lo[2] + lo[3] + hi[0] + hi[1] + hi[2] + hi[3];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ZeroDoubles(double* d)
    {
        Vector256<double>.Zero.Store(d);
        Vector256<double>.Zero.Store(d + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector256<float> v)
    {
        Vector256<double> lo = Vector256.WidenLower(v), hi = Vector256.WidenUpper(v);
        return lo[0] + lo[1] + lo[2] + lo[3] + hi[0] + hi[1] + hi[2] + hi[3];
    }
}

/// <summary>512-bit lanes: 16 floats (AVX-512F). Where the CPU lacks AVX-512, .NET runs these in software (tests use that).</summary>
internal readonly unsafe struct Lanes16 : ILanes<Vector512<float>>
{
    public static int Count => 16;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector512<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float x) => Vector512.Create(x);

    // Element by element: the twins use masked memory only on rows narrower than 8 lanes, which run in Lanes8.
    public static Vector512<float> MaskLoad(float* p, Vector512<float> mask)
    {
        var v = Vector512<float>.Zero;
        for (int l = 0; l < 16; l++) if (BitConverter.SingleToInt32Bits(mask[l]) < 0) v = v.WithElement(l, p[l]);
        return v;
    }

    public static void MaskStore(float* p, Vector512<float> mask, Vector512<float> v)
    {
        for (int l = 0; l < 16; l++) if (BitConverter.SingleToInt32Bits(mask[l]) < 0) p[l] = v[l];
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> v) => Vector512.Abs(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> mask) => a & mask;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThanZero(Vector512<float> v) => Vector512.GreaterThan(v, Vector512<float>.Zero);

    public static Vector512<float> Tanh(Vector512<float> v) =>
        Vector512.Narrow(TanhDouble(Vector512.WidenLower(v)), TanhDouble(Vector512.WidenUpper(v)));

    public static Vector512<float> Exp(Vector512<float> v) =>
        Vector512.Narrow(Vector512.Exp(Vector512.WidenLower(v)), Vector512.Exp(Vector512.WidenUpper(v)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> EqualsInt(int* p, int value) => Vector512.Equals(Vector512.Load(p), Vector512.Create(value)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> v) => Vector512.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Negate(Vector512<float> v) => v ^ Vector512.Create(-0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.LessThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Equal(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> AndNot(Vector512<float> a, Vector512<float> mask) => Vector512.AndNot(a, mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MapDouble<TM>(Vector512<float> a, Vector512<float> b, Vector512<float> c) where TM : struct, IDoubleMap =>
        Vector512.Narrow(TM.Apply<DoubleLanes8, Vector512<double>>(Vector512.WidenLower(a), Vector512.WidenLower(b), Vector512.WidenLower(c)),
            TM.Apply<DoubleLanes8, Vector512<double>>(Vector512.WidenUpper(a), Vector512.WidenUpper(b), Vector512.WidenUpper(c)));

    private static Vector512<double> TanhDouble(Vector512<double> v) =>
        Vector512<double>.One - Vector512.Create(2.0) / (Vector512.Exp(v + v) + Vector512<double>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateDouble(double* d, Vector512<float> v)
    {
        (Vector512.Load(d) + Vector512.WidenLower(v)).Store(d);
        (Vector512.Load(d + 8) + Vector512.WidenUpper(v)).Store(d + 8);
    }

    // As Lanes8.SumDouble.
    public static double SumDouble(double* d)
    {
        Vector512<double> lo = Vector512.Load(d), hi = Vector512.Load(d + 8);
        double s = 0;
        for (int j = 0; j < 8; j++) s += lo[j];
        for (int j = 0; j < 8; j++) s += hi[j];
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ZeroDoubles(double* d)
    {
        Vector512<double>.Zero.Store(d);
        Vector512<double>.Zero.Store(d + 8);
    }

    // As Lanes8.SumWidened.
    public static double SumWidened(Vector512<float> v)
    {
        Vector512<double> lo = Vector512.WidenLower(v), hi = Vector512.WidenUpper(v);
        double s = 0;
        for (int j = 0; j < 8; j++) s += lo[j];
        for (int j = 0; j < 8; j++) s += hi[j];
        return s;
    }
}

/// <summary>
/// A function of up to three doubles per lane (<see cref="ILanes{TV}.MapDouble"/>): the double-precision steps of float
/// kernels, written once over <see cref="IDoubleLanes{TD}"/>; functions of fewer arguments ignore the rest.
/// </summary>
internal interface IDoubleMap
{
    static abstract TD Apply<TL, TD>(TD a, TD b, TD c) where TL : struct, IDoubleLanes<TD> where TD : unmanaged;
}
