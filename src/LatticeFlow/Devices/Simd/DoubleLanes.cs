using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// The vector operations of the sampler twins (<see cref="MetropolisTwins"/>, <see cref="HmcTwins"/>, their Philox
/// <see cref="PhiloxLanes"/>), over a vector type <typeparamref name="TD"/> of double lanes that also carries 64-bit
/// integer lanes (the bit patterns of the same registers): one twin body serves 256-bit (<see cref="DoubleLanes4"/>) and
/// 512-bit (<see cref="DoubleLanes8"/>) lanes, specialised by the JIT as <see cref="ILanes{TV}"/> is. Every floating-point
/// operation is a single IEEE operation, never fused (no fused multiply-add): the sampler twins are bit-identical to kernel
/// bodies that have none (DESIGN.md principle 2), so each rounds once, as the scalar operation does. Masks are lanes of
/// all ones (true) or all zeros.
/// </summary>
internal unsafe interface IDoubleLanes<TD> where TD : unmanaged
{
    static abstract int Count { get; }
    static abstract TD Load(double* p);
    static abstract void Store(double* p, TD v);
    static abstract TD Broadcast(double x);
    static abstract TD BroadcastBits(ulong x);

    /// <summary>0, 1, …, Count − 1 as 64-bit integers.</summary>
    static abstract TD LaneIndex { get; }

    static abstract TD Add(TD a, TD b);
    static abstract TD Subtract(TD a, TD b);
    static abstract TD Multiply(TD a, TD b);
    static abstract TD Divide(TD a, TD b);

    /// <summary>√v per lane, correctly rounded (IEEE 754), as Math.Sqrt.</summary>
    static abstract TD Sqrt(TD v);
    static abstract TD LessThan(TD a, TD b);
    static abstract TD GreaterThan(TD a, TD b);
    static abstract TD Select(TD mask, TD a, TD b);
    static abstract TD And(TD a, TD b);
    static abstract TD Or(TD a, TD b);
    static abstract TD Xor(TD a, TD b);
    static abstract bool AllSet(TD mask);

    /// <summary>Integer lanes: a + b and a − b modulo 2⁶⁴.</summary>
    static abstract TD AddInt(TD a, TD b);
    static abstract TD SubtractInt(TD a, TD b);

    /// <summary>Integer lanes: (a mod 2³²)·(b mod 2³²), the full 64-bit product (vpmuludq).</summary>
    static abstract TD Multiply32(TD a, TD b);

    /// <summary>Integer lanes shifted right (logical) or left by <paramref name="bits"/>.</summary>
    static abstract TD ShiftRight(TD a, byte bits);
    static abstract TD ShiftLeft(TD a, byte bits);

    /// <summary>Integer lanes below 2⁵³ as doubles (exact).</summary>
    static abstract TD ConvertToDouble(TD a);

    /// <summary>
    /// 4 × Count consecutive doubles v0‖v1‖v2‖v3 (v_q = elements q·Count … q·Count + Count − 1) ↔ the four phases
    /// P_j = (element 4l + j)_{l = 0…Count−1}; <see cref="Interleave"/> undoes <see cref="Deinterleave"/>.
    /// </summary>
    static abstract void Deinterleave(ref TD v0, ref TD v1, ref TD v2, ref TD v3);
    static abstract void Interleave(ref TD v0, ref TD v1, ref TD v2, ref TD v3);

    /// <summary>The lanes rounded to float (to nearest, as a (float) cast) into p[0 … Count − 1].</summary>
    static abstract void StoreSingles(float* p, TD v);

    /// <summary>(a, b) → the 2 × Count doubles a₀ b₀ a₁ b₁ …: the first Count in <paramref name="a"/>, the rest in <paramref name="b"/>.</summary>
    static abstract void Zip(ref TD a, ref TD b);
}

/// <summary>256-bit lanes: 4 doubles (AVX2).</summary>
internal readonly unsafe struct DoubleLanes4 : IDoubleLanes<Vector256<double>>
{
    private const ulong Low32 = 0xFFFF_FFFFUL;

    public static int Count => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(double* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Vector256<double> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Broadcast(double x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> BroadcastBits(ulong x) => Vector256.Create(x).AsDouble();
    public static Vector256<double> LaneIndex
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector256.Create(0UL, 1, 2, 3).AsDouble();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Multiply(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Divide(Vector256<double> a, Vector256<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sqrt(Vector256<double> v) => Vector256.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> LessThan(Vector256<double> a, Vector256<double> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> GreaterThan(Vector256<double> a, Vector256<double> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Select(Vector256<double> mask, Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> And(Vector256<double> a, Vector256<double> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Or(Vector256<double> a, Vector256<double> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Xor(Vector256<double> a, Vector256<double> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllSet(Vector256<double> mask) => mask.ExtractMostSignificantBits() == 0xF;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> AddInt(Vector256<double> a, Vector256<double> b) => (a.AsUInt64() + b.AsUInt64()).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> SubtractInt(Vector256<double> a, Vector256<double> b) => (a.AsUInt64() - b.AsUInt64()).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> ShiftRight(Vector256<double> a, byte bits) => Vector256.ShiftRightLogical(a.AsUInt64(), bits).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> ShiftLeft(Vector256<double> a, byte bits) => Vector256.ShiftLeft(a.AsUInt64(), bits).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> ConvertToDouble(Vector256<double> a) => Vector256.ConvertToDouble(a.AsUInt64());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Multiply32(Vector256<double> a, Vector256<double> b) => Avx2.IsSupported
        ? Avx2.Multiply(a.AsUInt32(), b.AsUInt32()).AsDouble()
        : ((a.AsUInt64() & Vector256.Create(Low32)) * (b.AsUInt64() & Vector256.Create(Low32))).AsDouble();

    // A 4 × 4 transpose: element 4l + j of v0‖v1‖v2‖v3 is v_l[j].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(ref Vector256<double> v0, ref Vector256<double> v1, ref Vector256<double> v2, ref Vector256<double> v3)
    {
        if (Avx.IsSupported)
        {
            var t0 = Avx.UnpackLow(v0, v1);
            var t1 = Avx.UnpackHigh(v0, v1);
            var t2 = Avx.UnpackLow(v2, v3);
            var t3 = Avx.UnpackHigh(v2, v3);
            v0 = Avx.Permute2x128(t0, t2, 0x20);
            v1 = Avx.Permute2x128(t1, t3, 0x20);
            v2 = Avx.Permute2x128(t0, t2, 0x31);
            v3 = Avx.Permute2x128(t1, t3, 0x31);
            return;
        }
        var (a, b, c, d) = (v0, v1, v2, v3);
        v0 = Vector256.Create(a[0], b[0], c[0], d[0]);
        v1 = Vector256.Create(a[1], b[1], c[1], d[1]);
        v2 = Vector256.Create(a[2], b[2], c[2], d[2]);
        v3 = Vector256.Create(a[3], b[3], c[3], d[3]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(ref Vector256<double> v0, ref Vector256<double> v1, ref Vector256<double> v2, ref Vector256<double> v3) =>
        Deinterleave(ref v0, ref v1, ref v2, ref v3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSingles(float* p, Vector256<double> v) => Vector256.Narrow(v, v).GetLower().Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zip(ref Vector256<double> a, ref Vector256<double> b)
    {
        if (Avx.IsSupported)
        {
            var low = Avx.UnpackLow(a, b);
            var high = Avx.UnpackHigh(a, b);
            a = Avx.Permute2x128(low, high, 0x20);
            b = Avx.Permute2x128(low, high, 0x31);
            return;
        }
        var (x, y) = (a, b);
        a = Vector256.Create(x[0], y[0], x[1], y[1]);
        b = Vector256.Create(x[2], y[2], x[3], y[3]);
    }
}

/// <summary>
/// 512-bit lanes: 8 doubles (AVX-512F). Where the CPU lacks AVX-512, .NET runs these in software (tests use that); only
/// <see cref="Multiply32"/> names an AVX-512 instruction, the rest is written in .NET's portable vector operations.
/// </summary>
internal readonly unsafe struct DoubleLanes8 : IDoubleLanes<Vector512<double>>
{
    private const ulong Low32 = 0xFFFF_FFFFUL;

    public static int Count => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(double* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Vector512<double> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> BroadcastBits(ulong x) => Vector512.Create(x).AsDouble();
    public static Vector512<double> LaneIndex
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7).AsDouble();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Multiply(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Divide(Vector512<double> a, Vector512<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sqrt(Vector512<double> v) => Vector512.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> LessThan(Vector512<double> a, Vector512<double> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> GreaterThan(Vector512<double> a, Vector512<double> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Select(Vector512<double> mask, Vector512<double> a, Vector512<double> b) => Vector512.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> And(Vector512<double> a, Vector512<double> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Or(Vector512<double> a, Vector512<double> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Xor(Vector512<double> a, Vector512<double> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllSet(Vector512<double> mask) => mask.ExtractMostSignificantBits() == 0xFF;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> AddInt(Vector512<double> a, Vector512<double> b) => (a.AsUInt64() + b.AsUInt64()).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> SubtractInt(Vector512<double> a, Vector512<double> b) => (a.AsUInt64() - b.AsUInt64()).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> ShiftRight(Vector512<double> a, byte bits) => Vector512.ShiftRightLogical(a.AsUInt64(), bits).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> ShiftLeft(Vector512<double> a, byte bits) => Vector512.ShiftLeft(a.AsUInt64(), bits).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> ConvertToDouble(Vector512<double> a) => Vector512.ConvertToDouble(a.AsUInt64());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Multiply32(Vector512<double> a, Vector512<double> b) => Avx512F.IsSupported
        ? Avx512F.Multiply(a.AsUInt32(), b.AsUInt32()).AsDouble()
        : ((a.AsUInt64() & Vector512.Create(Low32)) * (b.AsUInt64() & Vector512.Create(Low32))).AsDouble();

    // Element 4l + j of v0‖v1‖v2‖v3 is v_{l/2}[4(l mod 2) + j]: each phase takes elements j and j + 4 of every v_q
    // (one shuffle each) into lanes 2q and 2q + 1 (three selects).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(ref Vector512<double> v0, ref Vector512<double> v1, ref Vector512<double> v2, ref Vector512<double> v3)
    {
        var (a, b, c, d) = (v0, v1, v2, v3);
        v0 = Gather(a, b, c, d, Vector512.Create(0L, 4, 0, 4, 0, 4, 0, 4));
        v1 = Gather(a, b, c, d, Vector512.Create(1L, 5, 1, 5, 1, 5, 1, 5));
        v2 = Gather(a, b, c, d, Vector512.Create(2L, 6, 2, 6, 2, 6, 2, 6));
        v3 = Gather(a, b, c, d, Vector512.Create(3L, 7, 3, 7, 3, 7, 3, 7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Gather(Vector512<double> a, Vector512<double> b, Vector512<double> c, Vector512<double> d, Vector512<long> index)
    {
        var lanes01 = Vector512.Create(-1L, -1, 0, 0, 0, 0, 0, 0).AsDouble();
        var lanes23 = Vector512.Create(0L, 0, -1, -1, 0, 0, 0, 0).AsDouble();
        var lanes45 = Vector512.Create(0L, 0, 0, 0, -1, -1, 0, 0).AsDouble();
        return Vector512.ConditionalSelect(lanes01, Vector512.Shuffle(a, index),
            Vector512.ConditionalSelect(lanes23, Vector512.Shuffle(b, index),
                Vector512.ConditionalSelect(lanes45, Vector512.Shuffle(c, index), Vector512.Shuffle(d, index))));
    }

    // The inverse: element i of v_q is P_{i mod 4}[2q + i/4], lanes i ≡ j (mod 4) taken from phase j.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(ref Vector512<double> v0, ref Vector512<double> v1, ref Vector512<double> v2, ref Vector512<double> v3)
    {
        var (p0, p1, p2, p3) = (v0, v1, v2, v3);
        v0 = Scatter(p0, p1, p2, p3, Vector512.Create(0L, 0, 0, 0, 1, 1, 1, 1));
        v1 = Scatter(p0, p1, p2, p3, Vector512.Create(2L, 2, 2, 2, 3, 3, 3, 3));
        v2 = Scatter(p0, p1, p2, p3, Vector512.Create(4L, 4, 4, 4, 5, 5, 5, 5));
        v3 = Scatter(p0, p1, p2, p3, Vector512.Create(6L, 6, 6, 6, 7, 7, 7, 7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Scatter(Vector512<double> p0, Vector512<double> p1, Vector512<double> p2, Vector512<double> p3, Vector512<long> index)
    {
        var phase0 = Vector512.Create(-1L, 0, 0, 0, -1, 0, 0, 0).AsDouble();
        var phase1 = Vector512.Create(0L, -1, 0, 0, 0, -1, 0, 0).AsDouble();
        var phase2 = Vector512.Create(0L, 0, -1, 0, 0, 0, -1, 0).AsDouble();
        return Vector512.ConditionalSelect(phase0, Vector512.Shuffle(p0, index),
            Vector512.ConditionalSelect(phase1, Vector512.Shuffle(p1, index),
                Vector512.ConditionalSelect(phase2, Vector512.Shuffle(p2, index), Vector512.Shuffle(p3, index))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSingles(float* p, Vector512<double> v) => Vector512.Narrow(v, v).GetLower().Store(p);

    // Even lanes from a, odd lanes from b, each shuffled so that lane i holds element i/2 (first half) or 4 + i/2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zip(ref Vector512<double> a, ref Vector512<double> b)
    {
        var even = Vector512.Create(-1L, 0, -1, 0, -1, 0, -1, 0).AsDouble();
        var first = Vector512.Create(0L, 0, 1, 1, 2, 2, 3, 3);
        var second = Vector512.Create(4L, 4, 5, 5, 6, 6, 7, 7);
        var (x, y) = (a, b);
        a = Vector512.ConditionalSelect(even, Vector512.Shuffle(x, first), Vector512.Shuffle(y, first));
        b = Vector512.ConditionalSelect(even, Vector512.Shuffle(x, second), Vector512.Shuffle(y, second));
    }
}
