using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LatticeFlow.Devices.Simd;

/// <summary>
/// The double-precision vector operations of the sampler twins (<see cref="HmcTwins"/>), over a vector of double lanes
/// <typeparamref name="TD"/> and a vector of as many 64-bit lanes <typeparamref name="TU"/> that hold 32-bit Philox words
/// (one word per lane, high half zero, so that one 32 × 32 → 64 multiply per lane is one vpmuludq). One twin body serves
/// 256-bit (<see cref="Lanes4D"/>, 4 doubles) and 512-bit (<see cref="Lanes8D"/>, 8 doubles) lanes; structs with static
/// members, so the JIT specialises and inlines every call. No fused multiply-add: the sampler twins are bit-identical
/// to kernel bodies that have none (DESIGN.md principle 2), so each operation here is one IEEE operation with one
/// rounding, the same as the scalar one.
/// </summary>
internal unsafe interface IDoubleLanes<TD, TU> where TD : unmanaged where TU : unmanaged
{
    static abstract int Count { get; }
    static abstract TD Load(double* p);
    static abstract void Store(double* p, TD v);
    static abstract TD Broadcast(double x);
    static abstract TD Add(TD a, TD b);
    static abstract TD Subtract(TD a, TD b);
    static abstract TD Multiply(TD a, TD b);

    /// <summary>√v per lane, correctly rounded (IEEE 754), as Math.Sqrt.</summary>
    static abstract TD Sqrt(TD v);

    /// <summary>The word <paramref name="w"/> in every lane.</summary>
    static abstract TU Word(uint w);

    /// <summary>Lane j holds first + j.</summary>
    static abstract TU Sequence(uint first);

    /// <summary>The 64-bit product of the 32-bit words in each lane (Philox's mulhilo).</summary>
    static abstract TU MultiplyWide(TU a, TU b);

    /// <summary>The high word of each 64-bit lane.</summary>
    static abstract TU High(TU p);

    /// <summary>The low word of each 64-bit lane.</summary>
    static abstract TU Low(TU p);
    static abstract TU Xor(TU a, TU b);

    /// <summary><see cref="Kernels.Philox.Uniform53"/> per lane: ((hi·2²¹ ⊕ lo/2¹¹) + ½)·2⁻⁵³, the integer below 2⁵³ converted exactly.</summary>
    static abstract TD Uniform53(TU hi, TU lo);
}

/// <summary>256-bit lanes: 4 doubles, 4 Philox words (AVX2).</summary>
internal readonly unsafe struct Lanes4D : IDoubleLanes<Vector256<double>, Vector256<ulong>>
{
    public static int Count => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(double* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Vector256<double> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Broadcast(double x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Multiply(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sqrt(Vector256<double> v) => Vector256.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Word(uint w) => Vector256.Create((ulong)w);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Sequence(uint first) => Vector256.Create((ulong)first) + Vector256.Create(0UL, 1, 2, 3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> MultiplyWide(Vector256<ulong> a, Vector256<ulong> b) =>
        Avx2.IsSupported ? Avx2.Multiply(a.AsUInt32(), b.AsUInt32()) : a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> High(Vector256<ulong> p) => Vector256.ShiftRightLogical(p, 32);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Low(Vector256<ulong> p) => p & Vector256.Create(0xFFFF_FFFFUL);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Xor(Vector256<ulong> a, Vector256<ulong> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Uniform53(Vector256<ulong> hi, Vector256<ulong> lo) =>
        (Vector256.ConvertToDouble(Vector256.ShiftLeft(hi, 21) ^ Vector256.ShiftRightLogical(lo, 11)) + Vector256.Create(0.5))
        * Vector256.Create(1.0 / 9007199254740992.0);
}

/// <summary>512-bit lanes: 8 doubles, 8 Philox words (AVX-512F). Where the CPU lacks AVX-512, .NET runs these in software (tests use that).</summary>
internal readonly unsafe struct Lanes8D : IDoubleLanes<Vector512<double>, Vector512<ulong>>
{
    public static int Count => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(double* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Vector512<double> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Multiply(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sqrt(Vector512<double> v) => Vector512.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Word(uint w) => Vector512.Create((ulong)w);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Sequence(uint first) => Vector512.Create((ulong)first) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> MultiplyWide(Vector512<ulong> a, Vector512<ulong> b) =>
        Avx512F.IsSupported ? Avx512F.Multiply(a.AsUInt32(), b.AsUInt32()) : a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> High(Vector512<ulong> p) => Vector512.ShiftRightLogical(p, 32);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Low(Vector512<ulong> p) => p & Vector512.Create(0xFFFF_FFFFUL);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Xor(Vector512<ulong> a, Vector512<ulong> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Uniform53(Vector512<ulong> hi, Vector512<ulong> lo) =>
        (Vector512.ConvertToDouble(Vector512.ShiftLeft(hi, 21) ^ Vector512.ShiftRightLogical(lo, 11)) + Vector512.Create(0.5))
        * Vector512.Create(1.0 / 9007199254740992.0);
}
